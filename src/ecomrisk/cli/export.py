"""``ecomrisk export``: the store's batch tables as files other engines read."""

from pathlib import Path

import typer

from ecomrisk.cli._common import console, stage_progress, store_engine

app = typer.Typer(help="Export the store for batch engines (DuckDB, Spark).", no_args_is_help=True)


@app.command()
def parquet(
    folder: Path = typer.Argument(..., help="Folder to write (one sub-folder per table)"),
) -> None:
    """Shipments, decisions, outcomes and the feature event tables as Parquet
    partitioned by day; a table already there is replaced once its new copy is whole."""
    from ecomrisk.engines.export import export_parquet

    with store_engine() as engine, stage_progress() as advance:
        written = export_parquet(engine, folder, advance)
    for table, rows in written.items():
        console.print(f"{table}: {rows:,} rows → {folder / table}")
