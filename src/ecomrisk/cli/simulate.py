"""``ecomrisk simulate``: generate a synthetic e-commerce world."""

from pathlib import Path

import typer

from ecomrisk.cli._common import console, fail, stage_progress
from ecomrisk.simulate.output import Format, write_world
from ecomrisk.simulate.scenario import ScenarioError, load_scenario
from ecomrisk.simulate.world import generate

app = typer.Typer(
    help="Synthetic world: shipments, schemes, inspections, ground truth.", no_args_is_help=True
)


@app.command()
def run(
    out: Path = typer.Option(..., "--out", help="Folder to write the world into"),
    scenario: Path = typer.Option(
        None, "--scenario", help="Scenario TOML; default: the shipped one"
    ),
    seed: int = typer.Option(None, "--seed", help="Override the scenario's seed"),
    shipments: int = typer.Option(None, "--shipments", help="Override the number of shipments"),
    file_format: str = typer.Option("both", "--format", help="ndjson, parquet or both"),
) -> None:
    """Generate a world and write filings, outcomes, truth and watch lists to a folder."""
    if file_format not in ("ndjson", "parquet", "both"):
        raise fail(f"--format: expected ndjson, parquet or both, not {file_format!r}")
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as error:
        raise fail(str(error)) from None
    changes = {k: v for k, v in {"seed": seed, "shipments": shipments}.items() if v is not None}
    if changes:
        loaded = loaded.model_validate({**loaded.model_dump(), **changes})
    with stage_progress() as advance:
        world = generate(loaded, advance)
        file_kind: Format = file_format  # type: ignore[assignment]
        manifest = write_world(world, out, file_kind, advance)
    console.print(
        f"wrote {manifest['shipments']:,} shipments ({manifest['violations']:,} with violations), "
        f"{manifest['inspections']:,} inspections, watch lists and ground truth to {out}"
    )
