"""``ecomrisk audit``: check the integrity of the audit log."""

import typer

from ecomrisk import audit
from ecomrisk.cli._common import console, fail, store_engine

app = typer.Typer(help="Audit log: verify its hash chain.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Walk the hash chain and report the first changed, inserted or deleted entry."""
    with store_engine() as engine:
        result = audit.verify(engine)
    if not result.ok:
        raise fail(f"audit log broken after {result.entries} entries: {result.problem}")
    console.print(
        f"[green]audit log intact[/]: {result.entries} entries, head hash {result.head_hash}"
    )
