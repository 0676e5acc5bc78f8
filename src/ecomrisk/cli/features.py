"""``ecomrisk features``: feature jobs over all history, on a batch engine."""

from pathlib import Path

import typer

from ecomrisk.cli._common import (
    ENGINE_OPTION,
    chosen_engine,
    console,
    settings,
    stage_progress,
    store_engine,
)
from ecomrisk.risk.context import feature_context

app = typer.Typer(help="Feature jobs over all history (backfill).", no_args_is_help=True)


@app.command()
def backfill(
    out: Path = typer.Argument(..., help="Folder to write the feature matrix to (Parquet)"),
    engine_name: str = ENGINE_OPTION,
    export: Path = typer.Option(
        None, "--export", help="Read history from this Parquet export (ecomrisk export parquet)"
    ),
) -> None:
    """History features of every shipment version, written as Parquet by the engine."""
    from ecomrisk.features.backfill import backfill as run

    batch = chosen_engine(engine_name)
    with store_engine() as engine:
        offset = feature_context(engine, settings()).day_offset_s
        with stage_progress() as advance:
            rows = run(engine, offset, out, batch, export, advance)
    console.print(f"{rows:,} shipment versions' history features → {out} (on {batch.name})")
