"""``ecomrisk score``: rescore history in batch."""

from datetime import UTC, datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ecomrisk.cli._common import console, settings, store_engine
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.rescore import rescore


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def score(
    since: datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day"),
    until: datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Day after the last"),
) -> None:
    """Rescore history in batch with the live rule set; decisions are appended."""
    with store_engine() as engine:
        context = feature_context(engine, settings())
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("features", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, description="deciding", completed=done, total=total)

            count = rescore(engine, context, _utc(since), _utc(until), advance)
    console.print(f"rescored {count:,} shipments")
