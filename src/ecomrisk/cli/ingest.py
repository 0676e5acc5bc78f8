"""``ecomrisk ingest FILE``: a bulk file straight into the store, with a progress bar."""

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from ecomrisk.cli._common import console, fail, settings, store_engine
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.ingest.bulk import BulkResult, ingest_records
from ecomrisk.ingest.formats import FormatError, records
from ecomrisk.ingest.validate import RecordKind
from ecomrisk.risk.context import decider
from ecomrisk.store import filers_repo
from ecomrisk.store.filers_repo import FilerError

SHOWN_ERRORS = 20


def ingest(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="NDJSON or CSV file"),
    filer: str = typer.Option(..., "--filer", help="Code of the filer the file comes from"),
    file_format: str | None = typer.Option(
        None, "--format", help="ndjson or csv; default from the extension"
    ),
    kind: RecordKind = typer.Option(RecordKind.SHIPMENT, help="What each record is"),
    amend: bool = typer.Option(False, help="Treat every record as an amendment"),
) -> None:
    """Ingest a bulk file (NDJSON or CSV, see docs/api.md). Safe to re-run."""
    config = settings()
    chosen = file_format or {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}.get(
        file.suffix.lower()
    )
    if chosen not in ("ndjson", "csv"):
        raise fail(f"{file}: say --format ndjson or --format csv")
    profile = load_profile(config.jurisdiction)
    with store_engine() as engine:
        on_written = decider(engine, config).written
        with engine.connect() as connection:
            try:
                filer_id = filers_repo.get_filer(connection, filer).id
            except FilerError as error:
                raise fail(str(error)) from None
        with (
            file.open("rb") as stream,
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as progress,
        ):
            task = progress.add_task(file.name, total=file.stat().st_size)

            def advance(result: BulkResult) -> None:
                progress.update(
                    task,
                    completed=stream.tell(),
                    description=f"{file.name}: {result.accepted} new, {result.rejected} refused",
                )

            try:
                result = ingest_records(
                    engine,
                    filer_id,
                    records(stream, chosen, config.max_record_bytes),
                    kind=kind,
                    profile=profile,
                    actor=f"cli:{filer}",
                    chunk_size=config.ingest_chunk_size,
                    max_errors=SHOWN_ERRORS,
                    amend=amend,
                    on_chunk=advance,
                    on_written=on_written,
                )
            except FormatError as error:
                raise fail(f"{file}: {error}") from None
    console.print(
        f"{result.records} records: {result.accepted} new, {result.replayed} already filed, "
        f"{result.rejected} refused"
    )
    for refused in result.errors:
        ref = f" {refused.filer_reference}" if refused.filer_reference else ""
        for problem in refused.errors:
            console.print(
                f"  {refused.position}{ref}: {problem.path}: {problem.problem}", highlight=False
            )
    if result.errors_truncated:
        console.print(f"  ... (first {SHOWN_ERRORS} refused records shown)")
    if result.rejected:
        raise typer.Exit(2)
