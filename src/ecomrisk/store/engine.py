"""Engines on the operational store: SQLite (embedded default) or PostgreSQL."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ecomrisk.settings import Settings

# How long a SQLite writer waits for another one before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024  # address space, not memory: the OS page cache


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer writes; NORMAL sync is durable in WAL
    # mode against application crashes (only an OS crash may lose the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Pages read through a memory map instead of a read() call each: ~0.25 ms less
    # CPU per filing (bench/ingest.py). Writes still go through the log.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def create_engine_for_url(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings ecomrisk relies on for its dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # The connection used last is handed out next: its page cache holds the
            # pages the last writes touched. First in, first out passed the writer the
            # pooled connection the checkpointer had just used, whose cache SQLite
            # drops when it sees the log changed: ~0.5-1 ms more CPU a paced filing.
            kwargs.setdefault("pool_use_lifo", True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    raise ValueError(
        f"database_url: unsupported database {parsed.get_backend_name()!r}; "
        "use sqlite:///PATH or postgresql+psycopg://..."
    )


def single_writer(engine: Engine) -> bool:
    """True when the store takes one write transaction at a time (SQLite)."""
    return engine.dialect.name == "sqlite"


def create_store_engine(settings: Settings) -> Engine:
    return create_engine_for_url(settings.effective_database_url)
