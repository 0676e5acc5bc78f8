"""``ecomrisk score``: rescore history in batch."""

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ecomrisk.cli._common import ENGINE_OPTION, chosen_engine, console, settings, store_engine
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.rescore import rescore


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def score(
    since: datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day"),
    until: datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Day after the last"),
    engine_name: str = ENGINE_OPTION,
    export: Path = typer.Option(
        None, "--export", help="Read history from this Parquet export (ecomrisk export parquet)"
    ),
) -> None:
    """Rescore history in batch with the live rule set; decisions are appended.

    Safe to run again after an interruption: versions already decided with the
    same rule set, lists and profile are left as they are."""
    config = settings()
    batch = chosen_engine(engine_name)
    total = 0
    with store_engine() as engine:
        context = feature_context(engine, config)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("features", total=None)

            def advance(done: int, of: int) -> None:
                nonlocal total
                total = of
                progress.update(task, description="deciding", completed=done, total=of)

            count = rescore(
                engine,
                context,
                _utc(since),
                _utc(until),
                advance,
                config.score_chunk_size,
                batch,
                export,
            )
    unchanged = f" ({total - count:,} already decided this way, left as they were)"
    console.print(f"rescored {count:,} shipments" + (unchanged if total > count else ""))
