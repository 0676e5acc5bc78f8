"""``ecomrisk filers``: filer accounts, their API keys and data-quality scorecards."""

from datetime import UTC, datetime, timedelta

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, store_engine
from ecomrisk.domain.enums import FilerType
from ecomrisk.store import filers_repo
from ecomrisk.store.filers_repo import FilerError, IssuedKey
from ecomrisk.store.shipments_query import scorecard as filer_scorecard

app = typer.Typer(help="Filer accounts, API keys and scorecards.", no_args_is_help=True)

ACTOR = "cli"


def _show_key(issued: IssuedKey) -> None:
    console.print("API key (shown once; only its hash is stored):")
    console.print(issued.key, highlight=False, soft_wrap=True)


@app.command()
def create(
    code: str = typer.Argument(help="Short unique code, e.g. ACME"),
    name: str = typer.Option(..., "--name", help="Legal name of the filer"),
    filer_type: FilerType = typer.Option(..., "--type", help="Kind of filer"),
) -> None:
    """Create a filer account and issue its first API key."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            filer, issued = filers_repo.create_filer(
                connection, code=code, name=name, filer_type=filer_type, actor=ACTOR
            )
        except FilerError as error:
            raise fail(str(error)) from None
    console.print(f"created filer {filer.code} ({filer.filer_type.value})")
    _show_key(issued)


@app.command(name="list")
def list_() -> None:
    """List filer accounts with their keys (prefixes only)."""
    table = Table("code", "name", "type", "active keys")
    with store_engine() as engine, engine.connect() as connection:
        for filer in filers_repo.list_filers(connection):
            keys = filers_repo.list_keys(connection, filer)
            active = ", ".join(k.prefix for k in keys if k.revoked_at is None) or "-"
            table.add_row(filer.code, filer.name, filer.filer_type.value, active)
    console.print(table)


@app.command(name="rotate-key")
def rotate_key(code: str = typer.Argument(help="Filer code")) -> None:
    """Issue a new key and revoke every older key of the filer at once."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            issued = filers_repo.rotate_key(
                connection, filers_repo.get_filer(connection, code), actor=ACTOR
            )
        except FilerError as error:
            raise fail(str(error)) from None
    _show_key(issued)


@app.command(name="revoke-key")
def revoke_key(
    code: str = typer.Argument(help="Filer code"),
    prefix: str | None = typer.Option(None, help="Key prefix; all keys when omitted"),
) -> None:
    """Revoke one API key (by prefix) or all of a filer's keys."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            count = filers_repo.revoke_keys(
                connection, filers_repo.get_filer(connection, code), actor=ACTOR, prefix=prefix
            )
        except FilerError as error:
            raise fail(str(error)) from None
    console.print(f"revoked {count} key(s)")


@app.command()
def scorecard(
    code: str = typer.Argument(help="Filer code"),
    days: int = typer.Option(30, min=1, max=366, help="How many days back"),
) -> None:
    """Show a filer's data-quality scorecard per day."""
    since = (datetime.now(UTC) - timedelta(days=days - 1)).date()
    with store_engine() as engine, engine.connect() as connection:
        try:
            filer = filers_repo.get_filer(connection, code)
        except FilerError as error:
            raise fail(str(error)) from None
        card = filer_scorecard(connection, filer.id, since=since)
    table = Table("day", "filings", "score", "complete", "timely", "consistent", "on time")
    for d in card.days:
        table.add_row(
            d.day,
            str(d.filings),
            f"{d.score:.2f}",
            f"{d.completeness:.2f}",
            f"{d.timeliness:.2f}",
            f"{d.consistency:.2f}",
            f"{d.on_time_share:.0%}",
        )
    console.print(table)
    overall = "-" if card.score is None else f"{card.score:.2f}"
    console.print(f"{filer.code}: {card.filings} filings since {since}, mean score {overall}")
    for code_, count in card.common_reasons:
        console.print(f"  {code_}: {count}")
