"""What every command shares: the console, settings and store, and clean failure."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from sqlalchemy import Engine

from ecomrisk.engines.batch import ENGINES, BatchEngine, batch_engine
from ecomrisk.settings import Settings, SettingsError, get_settings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error for a person (no traceback) and return the exit to raise."""
    # soft_wrap: a path or a value in an error stays on one line, copyable.
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        raise fail(str(error)) from None


# ``--engine`` of the batch commands; unset, the ``batch_engine`` setting decides.
ENGINE_OPTION = typer.Option(
    None, "--engine", help=f"Batch engine: {' or '.join(ENGINES)} (default: the setting)."
)


def chosen_engine(name: str | None) -> BatchEngine:
    """The batch engine a command runs on: ``--engine``, else the settings."""
    config = settings()
    try:
        return batch_engine(name or config.batch_engine, config.spark_master)
    except ValueError as error:
        raise fail(f"--engine: {error}") from None


@contextmanager
def store_engine() -> Iterator[Engine]:
    """An engine on the configured operational store, disposed afterwards."""
    from ecomrisk.store.engine import create_store_engine

    engine = create_store_engine(settings())
    try:
        yield engine
    finally:
        engine.dispose()


# Reports progress of a named stage: advance(stage, done, total).
Advance = Callable[[str, int, int], None]


@contextmanager
def stage_progress(stderr: bool = False) -> Iterator[Advance]:
    """Rich progress bars, one per stage, driven by an ``advance`` callback.

    ``stderr``: draw on standard error, for commands whose output is data (JSON).
    """
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    target = err_console if stderr else console
    with Progress(*columns, TimeElapsedColumn(), console=target) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield advance
