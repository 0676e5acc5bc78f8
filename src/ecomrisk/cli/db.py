"""``ecomrisk db``: create and migrate the operational store."""

from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, settings, stage_progress, store_engine
from ecomrisk.store import migrate

app = typer.Typer(
    help="Operational store: migrations, status, backup and restore.", no_args_is_help=True
)


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


@app.command()
def backup(
    file: Path = typer.Argument(..., help="New file to write the backup to"),
) -> None:
    """Back up the store to FILE: a SQLite copy (online backup API) or, on
    PostgreSQL, a portable dump taken in one snapshot. The server may keep running."""
    from ecomrisk.store import backup as backups

    with store_engine() as engine, stage_progress() as advance:
        try:
            summary = backups.backup(engine, file, advance)
        except backups.BackupError as error:
            raise fail(str(error)) from None
    rows = "" if summary.rows is None else f", {summary.rows:,} rows"
    console.print(
        f"Backed up {_safe_url()} to {file} ({summary.kind}, revision {summary.revision}, "
        f"{summary.tables} tables{rows}).",
        soft_wrap=True,
    )


@app.command()
def restore(
    file: Path = typer.Argument(..., help="A backup made by `ecomrisk db backup`"),
    force: bool = typer.Option(False, "--force", help="Replace a store that holds data"),
) -> None:
    """Restore the store from FILE, then verify the audit chain. Refuses a store
    that holds data unless --force. Stop the server first."""
    from ecomrisk import audit
    from ecomrisk.store import backup as backups

    with store_engine() as engine:
        with stage_progress() as advance:
            try:
                summary = backups.restore(engine, file, force=force, progress=advance)
            except backups.BackupError as error:
                raise fail(str(error)) from None
        result = audit.verify(engine)
    rows = "" if summary.rows is None else f", {summary.rows:,} rows"
    console.print(
        f"Restored {_safe_url()} from {file} (revision {summary.revision}{rows}).",
        soft_wrap=True,
    )
    if not result.ok:
        raise fail(f"audit log broken after {result.entries} entries: {result.problem}")
    console.print(f"[green]audit log intact[/]: {result.entries} entries, head {result.head_hash}")
