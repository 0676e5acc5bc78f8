"""``ecomrisk db``: create and migrate the operational store."""

import typer
from rich.table import Table

from ecomrisk.cli._common import console, settings, store_engine
from ecomrisk.store import migrate

app = typer.Typer(help="Operational store: migrations and status.", no_args_is_help=True)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings().effective_database_url).render_as_string(hide_password=True)


@app.command()
def upgrade() -> None:
    """Create the store or migrate it to the latest schema (safe to repeat)."""
    with store_engine() as engine:
        before = migrate.status(engine)
        migrate.upgrade(engine)
        after = migrate.status(engine)
    if before.pending:
        console.print(f"Migrated {_safe_url()} to {after.current} ({len(before.pending)} applied).")
    else:
        console.print(f"{_safe_url()} is already at {after.current}.")


@app.command()
def status() -> None:
    """Show the store's schema revision and pending migrations."""
    with store_engine() as engine:
        state = migrate.status(engine)
    table = Table(show_header=False)
    table.add_row("database", _safe_url())
    table.add_row("revision", state.current or "(empty: run `ecomrisk db upgrade`)")
    table.add_row("head", state.head)
    table.add_row("pending", ", ".join(state.pending) or "none")
    console.print(table)
    if not state.up_to_date:
        raise typer.Exit(1)
