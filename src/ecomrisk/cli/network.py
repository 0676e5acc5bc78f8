"""``ecomrisk network``: entity resolution, the link graph, risk propagation, networks."""

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ecomrisk.cli._common import (
    ENGINE_OPTION,
    chosen_engine,
    console,
    fail,
    settings,
    stage_progress,
    store_engine,
)

app = typer.Typer(
    help="Counter-network analysis: resolve parties, build the graph, explore networks.",
    no_args_is_help=True,
)


def _json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command()
def resolve(
    threshold: float = typer.Option(0.95, min=0.5, max=0.999999, help="match probability to link"),
    reuse_model: bool = typer.Option(
        False, "--reuse-model", help="Keep the stored model instead of estimating a new one"
    ),
    engine_name: str = ENGINE_OPTION,
) -> None:
    """Resolve every stored party record into entities (Splink on DuckDB or Spark)."""
    from ecomrisk.risk.network.resolve import resolve as run

    batch = chosen_engine(engine_name)
    spark_master = settings().spark_master
    with store_engine() as engine, stage_progress() as advance:
        report = run(
            engine,
            threshold=threshold,
            retrain=not reuse_model,
            progress=advance,
            engine_name=batch.name,
            spark_master=spark_master,
        )
    if not report.records:
        raise fail("no party records in the store: file some shipments first")
    console.print(
        f"{report.records:,} party records, {report.signatures:,} distinct, "
        f"{report.groups:,} deterministic groups, {report.pairs:,} links scored over the "
        f"threshold: {report.entities:,} entities ({report.changed:,} records changed entity); "
        f"model {report.model_id} ({'estimated now' if report.trained else 'reused'})."
    )
    console.print("seconds: " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()))


@app.command()
def build(
    half_life_days: float = typer.Option(180.0, min=1, help="a violation's weight halves in"),
    damping: float = typer.Option(0.85, min=0.05, max=0.99, help="PageRank damping"),
    prior_exams: float = typer.Option(
        0.5, min=0.01, help="how many exams the overall violation rate counts for at each node"
    ),
    engine_name: str = ENGINE_OPTION,
) -> None:
    """Build the link graph, propagate risk from confirmed violations, find networks."""
    from ecomrisk.risk.network.build import BuildParams
    from ecomrisk.risk.network.build import build as run

    params = BuildParams(damping=damping, half_life_days=half_life_days, prior_exams=prior_exams)
    batch = chosen_engine(engine_name)
    with store_engine() as engine, stage_progress() as advance:
        report = run(engine, params, progress=advance, batch=batch)
    console.print(
        f"run {report.run_id}: {report.nodes:,} nodes, {report.edges:,} edges, "
        f"{report.seeds:,} seeds, {report.networks:,} networks of two or more entities."
    )


@app.command("networks")
def networks_(
    limit: int = typer.Option(20, min=1, max=500), offset: int = typer.Option(0, min=0)
) -> None:
    """List the networks of the latest build, riskiest first."""
    from ecomrisk.risk.network.explore import list_networks

    with store_engine() as engine, engine.connect() as connection:
        rows = list_networks(connection, limit, offset)
    if not rows:
        raise fail("no networks: run `ecomrisk network resolve` then `ecomrisk network build`")
    out = Table("network", "label", "entities", "shipments", "findings", "risk")
    for r in rows:
        out.add_row(
            f"N{r['id']}", r["label"], str(r["entities"]), str(r["shipments"]),
            str(r["findings"]), f"{r['risk']:.3f}",
        )  # fmt: skip
    console.print(out)


def _network_id(text: str) -> int:
    digits = text.removeprefix("N")
    if not digits.isdigit() or len(digits) > 18:
        raise fail(f"network {text!r}: write its id, e.g. N12 or 12")
    return int(digits)


@app.command()
def show(
    network: str = typer.Argument(..., help="network id, e.g. N12"),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """Show a network: members, shipments, findings and the evidence that links them."""
    from ecomrisk.risk.network.explore import NotFoundError, show_network

    with store_engine() as engine, engine.connect() as connection:
        try:
            _json(show_network(connection, _network_id(network), limit))
        except NotFoundError as error:
            raise fail(str(error)) from None


@app.command()
def expand(
    node: str = typer.Argument(..., help="KIND:KEY, e.g. entity:E12, phone:+12125550100"),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """Show a node of the graph and its neighbours (counts, first and last seen, risk)."""
    from ecomrisk.risk.network.explore import NotFoundError
    from ecomrisk.risk.network.explore import expand as run

    with store_engine() as engine, engine.connect() as connection:
        try:
            _json(run(connection, node, limit))
        except (NotFoundError, ValueError) as error:
            raise fail(str(error)) from None


@app.command()
def entity(entity_id: str = typer.Argument(..., help="entity id, e.g. E12")) -> None:
    """Explain an entity: its records and the links (fields and weights) that join them."""
    from ecomrisk.risk.network.explore import NotFoundError, explain_entity

    with store_engine() as engine, engine.connect() as connection:
        try:
            _json(explain_entity(connection, entity_id))
        except NotFoundError as error:
            raise fail(str(error)) from None


@app.command()
def link(
    party_a: int = typer.Argument(..., min=1), party_b: int = typer.Argument(..., min=1)
) -> None:
    """Compare two party records field by field with the stored model."""
    from ecomrisk.risk.network.explore import NotFoundError, explain_link

    with store_engine() as engine, engine.connect() as connection:
        try:
            _json(explain_link(connection, party_a, party_b))
        except NotFoundError as error:
            raise fail(str(error)) from None


@app.command()
def confirm(
    party_a: int = typer.Argument(..., min=1), party_b: int = typer.Argument(..., min=1)
) -> None:
    """Record that two party records are one entity (used by the next resolve)."""
    from ecomrisk.risk.network.confirm import ConfirmError, confirm_match

    with store_engine() as engine, engine.begin() as connection:
        try:
            confirm_match(connection, party_a, party_b, getpass.getuser(), datetime.now(UTC))
        except ConfirmError as error:
            raise fail(str(error)) from None
    console.print(f"Confirmed: party records {party_a} and {party_b} are one entity.")


@app.command()
def evaluate(
    world: Path = typer.Argument(..., help="folder written by `ecomrisk simulate run`"),
) -> None:
    """Measure resolution (pairwise precision, recall, F1) and ring recovery against a
    synthetic world's ground truth."""
    from ecomrisk.risk.network.quality import evaluate as run

    with store_engine() as engine, engine.connect() as connection:
        try:
            quality = run(connection, world)
        except (ValueError, OSError) as error:
            raise fail(str(error)) from None
    _json(quality.as_dict())
