"""The ``ecomrisk`` command line: one Typer app with a group per area.

Each area keeps its commands in its own module here and is registered below,
so ``ecomrisk --help`` lists everything with a one-line help.
"""

import typer

from ecomrisk import __version__
from ecomrisk.cli import (
    audit,
    compliance,
    db,
    decisions,
    demo,
    export,
    facilities,
    features,
    filers,
    history,
    ingest,
    measures,
    model,
    network,
    profiles,
    programme,
    reference,
    rules,
    score,
    screening,
    serve,
    simulate,
    simulate_targeting,
    targeting,
    users,
)
from ecomrisk.cli._common import console

app = typer.Typer(
    name="ecomrisk",
    help="Risk management for customs administrations facing cross-border e-commerce.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the ecomrisk version."""
    console.print(f"ecomrisk {__version__}")


app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")
app.add_typer(reference.app, name="reference")
app.add_typer(profiles.app, name="profiles")
app.add_typer(rules.app, name="rules")
app.add_typer(model.app, name="model")
app.add_typer(decisions.app, name="decisions")
app.add_typer(screening.app, name="screening")
app.add_typer(simulate.app, name="simulate")
app.command(name="demo")(demo.demo)
app.command(name="score")(score.score)
app.add_typer(filers.app, name="filers")
app.add_typer(users.app, name="users")
app.command(name="serve")(serve.serve)
app.command(name="ingest")(ingest.ingest)
app.add_typer(facilities.app, name="facilities")
app.add_typer(targeting.app, name="targeting")
app.add_typer(compliance.app, name="compliance")
app.add_typer(history.app, name="history")
app.add_typer(network.app, name="network")
app.command(name="simulate-targeting")(simulate_targeting.simulate_targeting)
app.add_typer(export.app, name="export")
app.add_typer(features.app, name="features")
app.add_typer(programme.app, name="programme")
app.add_typer(measures.app, name="measures")

__all__ = ["app"]
