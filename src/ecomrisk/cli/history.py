"""``ecomrisk history``: onboard an agency's past declarations and inspection outcomes."""

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn
from rich.table import Table

from ecomrisk.cli._common import console, fail, settings, store_engine
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.history import FileReport, Importer, MappingError, SourceError, load_mapping
from ecomrisk.history.mapping import shipped_mappings
from ecomrisk.history.pipeline import check_headers
from ecomrisk.history.readers import Source, file_format

app = typer.Typer(help="Import past declarations and inspection outcomes (docs/history.md).")

SHOWN_REASONS = 10
MAPPING_HELP = "Mapping file (TOML), or the name of a shipped one: kcs, synthetic"


@app.command("import")
def import_history(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV, Parquet, NDJSON"
    ),
    mapping_file: str = typer.Option(..., "--mapping", help=MAPPING_HELP),
    file_format_name: str | None = typer.Option(
        None, "--format", help="csv, parquet or ndjson; default from each file's extension"
    ),
    rejects: Path = typer.Option(
        Path("."), "--rejects", file_okay=False, help="Folder for FILE.rejects.ndjson"
    ),
    decide: bool = typer.Option(
        False, "--decide", help="Also decide every imported shipment (rules, screening) now"
    ),
) -> None:
    """Import history files through a mapping; failing rows go to a rejects file. Re-runnable."""
    config = settings()
    try:
        mapping = load_mapping(mapping_file)
    except MappingError as error:
        raise fail(str(error)) from None
    profile = load_profile(config.jurisdiction)
    with store_engine() as engine:
        from ecomrisk.risk.context import decider, feature_context

        importer = Importer(
            engine,
            mapping,
            profile,
            feature_context(engine, config).rates,
            on_written=decider(engine, config).written if decide else None,
            chunk_size=config.ingest_chunk_size,
            max_line_bytes=config.max_record_bytes,
        )
        try:
            sources = importer.sources(files, file_format_name)
        except (MappingError, SourceError) as error:
            raise fail(str(error)) from None
        reports = [_run(importer, source, rejects) for source in sources]
    _summary(reports)
    if any(r.rejected for r in reports):
        raise typer.Exit(2)


def _run(importer: Importer, source: Source, rejects: Path) -> FileReport:
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(source.path.name, total=source.size)

        def advance(report: FileReport, done: int, total: int) -> None:
            progress.update(
                task,
                completed=done,
                total=total,
                description=(
                    f"{source.path.name}: {report.new:,} new, {report.replayed:,} known, "
                    f"{report.rejected:,} rejected"
                ),
            )

        try:
            report = importer.run(source, rejects, advance)
        except SourceError as error:
            raise fail(str(error)) from None
        progress.update(task, completed=source.size)
    return report


def _summary(reports: list[FileReport]) -> None:
    table = Table(
        "file", "rows", "records", "new", "already stored", "rejected", "outcomes new",
        "outcomes known", title="History import",
    )  # fmt: skip
    for r in reports:
        table.add_row(
            r.path.name,
            f"{r.rows:,}",
            f"{r.records:,}",
            f"{r.new:,}",
            f"{r.replayed:,}",
            f"{r.rejected:,}",
            f"{r.outcomes_new:,}",
            f"{r.outcomes_known:,}",
        )
    console.print(table)
    for r in reports:
        if not r.rejected:
            continue
        console.print(f"{r.path.name}: {r.rejected:,} rejected, see {r.rejects_file}")
        for reason, count in r.reasons.most_common(SHOWN_REASONS):
            console.print(f"  {count:>8,}  {reason}", highlight=False)


@app.command("check")
def check(
    mapping_file: str = typer.Option(..., "--mapping", help=MAPPING_HELP),
    files: list[Path] = typer.Argument(
        None, exists=True, dir_okay=False, help="Files whose headers to check against it"
    ),
    file_format_name: str | None = typer.Option(None, "--format", help="csv, parquet or ndjson"),
) -> None:
    """Validate a mapping (and the headers of FILES against it) without reading any row."""
    try:
        mapping = load_mapping(mapping_file)
        sources = [Source(f, file_format(f, file_format_name)) for f in files or []]
        check_headers(mapping, sources)
    except (MappingError, SourceError) as error:
        raise fail(str(error)) from None
    console.print(f"{mapping.path}: mapping {mapping.name!r} is valid", highlight=False)
    for source in sources:
        console.print(f"  {source.path}: every mapped column is in the header", highlight=False)


@app.command("mappings")
def mappings() -> None:
    """List the shipped mappings."""
    for path in shipped_mappings():
        mapping = load_mapping(path)
        console.print(f"{mapping.name}: {mapping.description} ({path})", highlight=False)
