"""``ecomrisk screening``: watch lists in, parties screened, hits explained."""

import getpass
from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, store_engine
from ecomrisk.risk.screening import KINDS, ListFileError, Query, parse_list, repo

app = typer.Typer(
    help="Watch-list screening: import lists, check names, re-screen.", no_args_is_help=True
)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="list file (CSL CSV or JSON, UFLPA CSV, agency CSV)"),
    kind: str = typer.Option(..., "--kind", help=f"one of {', '.join(KINDS)}"),
    name: str | None = typer.Option(None, "--name", help="list name (default: the kind)"),
    screen: bool = typer.Option(True, help="Re-screen stored parties against the new version"),
) -> None:
    """Import a list file as the next version of a list (unchanged files are skipped);
    stored parties are then re-screened against it."""
    if kind not in KINDS:
        raise fail(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    try:
        parsed = parse_list(kind, file.read_bytes(), str(file))
    except OSError as error:
        raise fail(f"{file}: cannot read: {error}") from None
    except ListFileError as error:
        raise fail(str(error)) from None
    with store_engine() as engine, engine.begin() as connection:
        result = repo.import_list(connection, name or kind, parsed, str(file), getpass.getuser())
    if result.changed:
        console.print(
            f"Imported {result.entries} entries as version {result.version} "
            f"of {result.watchlist!r}."
        )
        if screen:
            with (
                store_engine() as engine,
                engine.begin() as connection,
                console.status("screening"),
            ):
                counts = repo.rescreen(connection)
            hits = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
            console.print(f"Re-screened stored parties: {hits or 'nothing to do'} hits.")
    else:
        console.print(f"{result.watchlist!r} version {result.version} already has this content.")


@app.command("lists")
def lists_() -> None:
    """Show every list with its current version."""
    with store_engine() as engine, engine.connect() as connection:
        rows = repo.list_summaries(connection)
    if not rows:
        raise fail("no lists: import one with `ecomrisk screening import`")
    out = Table("list", "kind", "version", "entries", "imported", "screened", "sha256")
    for row in rows:
        out.add_row(
            str(row["name"]), str(row["kind"]), str(row["version"]), str(row["entry_count"]),
            str(row["imported_at"])[:19], str(row["screened_at"] or "never")[:19],
            str(row["content_hash"])[:12],
        )  # fmt: skip
    console.print(out)


@app.command()
def check(
    name: str = typer.Argument(..., help="the name to screen"),
    country: str | None = typer.Option(None, "--country", help="ISO 3166-1 alpha-2 code"),
    address: str | None = typer.Option(None, "--address", help="address as one line"),
) -> None:
    """Screen one name against the current lists and explain every hit."""
    with store_engine() as engine, engine.connect() as connection:
        lists = repo.load_current_lists(connection)
    if not lists:
        raise fail("no lists: import one with `ecomrisk screening import`")
    hits = repo.screen_party(Query(name, country=country, address=address), lists)
    if not hits:
        console.print(f"No hit on {len(lists)} list(s).")
        return
    for loaded, hit in hits:
        console.print(
            f"[bold]{hit.score:.3f}[/] {loaded.watchlist} v{loaded.version} entry "
            f"{hit.entry.key}: {hit.entry.name} (matched {hit.matched_name!r}, {hit.algorithm})",
            highlight=False,
        )
        for feature in hit.features:
            console.print(
                f"    {feature.name:<16} {feature.contribution:+.3f}  {feature.detail}",
                highlight=False,
            )


@app.command()
def rescreen(
    everything: bool = typer.Option(False, "--all", help="re-screen against every list"),
) -> None:
    """Screen stored parties against lists changed since they were last screened."""
    with store_engine() as engine, engine.begin() as connection:
        counts = repo.rescreen(connection, everything=everything)
    if not counts:
        console.print("Every list is already screened against stored parties.")
    for watchlist, hits in counts.items():
        console.print(f"{watchlist}: {hits} hits")
