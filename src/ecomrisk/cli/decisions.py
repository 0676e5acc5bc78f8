"""``ecomrisk decisions``: read and reproduce stored decisions."""

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, store_engine
from ecomrisk.risk.explain import explain as explain_decision

app = typer.Typer(help="Decisions: explain and reproduce.", no_args_is_help=True)


@app.command()
def explain(decision_id: int = typer.Argument(..., help="Decision id")) -> None:
    """Show a decision's reasons and features, and reproduce it from what was stored."""
    with store_engine() as engine, engine.connect() as connection:
        try:
            result = explain_decision(connection, decision_id)
        except LookupError as error:
            raise fail(str(error)) from None
    stored = result.stored
    console.print(
        f"decision {result.decision_id} ({result.kind}) on shipment version {result.shipment_id}: "
        f"lane [bold]{stored.lane.value}[/], score {stored.score:.3f}"
    )
    for reason in stored.reasons:
        console.print(f"  • [{reason.kind}] {reason.text}")
    versions = Table("component", "version")
    for key, value in sorted(stored.versions.items()):
        versions.add_row(key, value)
    console.print(versions)
    features = Table("feature", "value")
    for name, feature_value in sorted(result.features.items()):
        features.add_row(name, repr(feature_value))
    console.print(features)
    if not result.reproduced:
        raise fail(
            f"NOT reproduced: recomputed lane {result.recomputed.lane.value}, "
            f"score {result.recomputed.score:.3f}"
        )
    console.print("[green]reproduced exactly[/] from the stored features and versions")
