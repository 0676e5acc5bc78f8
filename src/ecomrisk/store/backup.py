"""Back up and restore the operational store.

SQLite: the sqlite3 online backup API copies the database page by page into a
new SQLite file, consistent even while the server writes (a write during the
copy restarts it). PostgreSQL: a portable dump read through SQLAlchemy in one
REPEATABLE READ, READ ONLY transaction (one snapshot): gzip'd JSON lines, a
header naming the schema revision, then every table's rows in foreign-key
order. Why not ``pg_dump``: the dump needs no client binaries matching the
server's major version, holds exactly ecomrisk's tables whatever schema the
URL's ``search_path`` points at, restores into a store made by ``ecomrisk db
upgrade`` (so the schema is always the code's own, triggers included), and
the same reader loads a SQLite backup into PostgreSQL or a dump into an empty
SQLite store.

A restore refuses a store that holds data unless forced, and refuses a backup
made at another schema revision.
"""

import gzip
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Date, Engine, Numeric, Table, func, select, text
from sqlalchemy.engine import make_url

from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import metadata
from ecomrisk.store.types import Money, UTCDateTime

DUMP_FORMAT = "ecomrisk-dump"
DUMP_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
ROWS_PER_INSERT = 1_000
SQLITE_PAGES_PER_STEP = 1_024
# Rows that `ecomrisk db upgrade` itself writes: a store holding only these is empty.
SEEDED_TABLES = frozenset({"roles", "audit_head"})

# progress(stage, done, total)
Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    kind: str  # "sqlite" (a SQLite database file) or "dump" (the portable dump)
    revision: str | None
    tables: int
    rows: int | None  # None for a page copy, which does not count rows


def _quiet(_stage: str, _done: int, _total: int) -> None:
    pass


# ---- values to and from JSON, by column type (pure) ----


def encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Money | Numeric) and isinstance(value, str):
        return Decimal(value)
    return value


# ---- which kind of file and store ----


def file_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    if start == SQLITE_MAGIC:
        return "sqlite"
    if start.startswith(GZIP_MAGIC):
        return "dump"
    raise BackupError(f"{path}: not an ecomrisk backup (neither a SQLite file nor a dump)")


def _sqlite_path(engine: Engine) -> Path | None:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("database_url: an in-memory SQLite store cannot be backed up")
    return Path(url.database)


# ---- backup ----


def backup(engine: Engine, target: Path, progress: Progress = _quiet) -> Summary:
    """Write a backup of the store to ``target`` (a new file)."""
    if target.exists():
        raise BackupError(f"{target}: already exists; name a new file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    state = migrate.status(engine)
    if state.current is None:
        raise BackupError("the store is empty (no schema): nothing to back up")
    partial = target.with_name(target.name + ".partial")
    try:
        source = _sqlite_path(engine)
        if source is not None:
            summary = _copy_sqlite(source, partial, progress)
        else:
            summary = _dump(engine, partial, progress)
        os.replace(partial, target)  # the named file is whole or absent
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _copy_sqlite(source: Path, target: Path, progress: Progress) -> Summary:
    def pages(_status: int, remaining: int, total: int) -> None:
        progress("copying pages", total - remaining, total)

    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=SQLITE_PAGES_PER_STEP, progress=pages)
    with closing(sqlite3.connect(target)) as copy:
        # A copy that a crash left in WAL mode would need its -wal file: keep it whole.
        copy.execute("PRAGMA journal_mode=DELETE")
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
    return Summary("sqlite", revision[0] if revision else None, int(tables[0]), None)


def _dump(engine: Engine, target: Path, progress: Progress) -> Summary:
    tables = metadata.sorted_tables
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
        connection.begin(),
        gzip.open(target, "wt", encoding="utf-8") as out,
    ):
        connection.execute(text("SET TRANSACTION READ ONLY"))
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        counts = {
            t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables
        }
        total = sum(counts.values())
        header = {
            "format": DUMP_FORMAT,
            "version": DUMP_VERSION,
            "revision": revision,
            "tables": counts,
        }
        out.write(json.dumps(header) + "\n")
        done = 0
        progress("dumping rows", 0, total)
        for table in tables:
            columns = list(table.columns)
            out.write(json.dumps({"table": table.name, "columns": [c.name for c in columns]}))
            out.write("\n")
            order = list(table.primary_key.columns) or columns
            result = connection.execution_options(yield_per=ROWS_PER_INSERT).execute(
                select(table).order_by(*order)
            )
            for row in result:
                values = [encode(c, v) for c, v in zip(columns, row, strict=True)]
                out.write(json.dumps(values, ensure_ascii=False) + "\n")
                done += 1
                if done % ROWS_PER_INSERT == 0:
                    progress("dumping rows", done, total)
        progress("dumping rows", done, total)
    return Summary("dump", revision, len(tables), total)


# ---- restore ----


def restore(
    engine: Engine, source: Path, force: bool = False, progress: Progress = _quiet
) -> Summary:
    """Load the backup ``source`` into the store; refuses a store holding data
    unless ``force`` (which replaces it)."""
    kind = file_kind(source)
    target_path = _sqlite_path(engine)
    if kind == "sqlite":
        revision = _sqlite_revision(source)
        _same_revision(revision)
        if target_path is not None:
            _refuse_data(engine, force, can_replace=True)
            engine.dispose()
            return _copy_sqlite(source, target_path, progress)
        reader = create_engine_for_url(f"sqlite:///{source}")
        try:
            return _load(engine, revision, _rows_of_store(reader), force, progress)
        finally:
            reader.dispose()
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        header = _header(handle, source)
        _same_revision(header["revision"])
        return _load(engine, header["revision"], _rows_of_dump(handle), force, progress)


def _sqlite_revision(path: Path) -> str | None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise BackupError(f"{path}: a SQLite file, but not an ecomrisk store") from None
    return row[0] if row else None


def _header(handle: IO[str], source: Path) -> dict[str, Any]:
    try:
        header = json.loads(handle.readline())
    except (OSError, ValueError):
        raise BackupError(f"{source}: not an ecomrisk dump (unreadable header)") from None
    if not isinstance(header, dict) or header.get("format") != DUMP_FORMAT:
        raise BackupError(f"{source}: not an ecomrisk dump (no '{DUMP_FORMAT}' header)")
    if header.get("version") != DUMP_VERSION:
        raise BackupError(
            f"{source}: dump format version {header.get('version')}, this ecomrisk reads "
            f"{DUMP_VERSION}"
        )
    return header


def _same_revision(revision: str | None) -> None:
    head = migrate.head()
    if revision != head:
        raise BackupError(
            f"the backup is at schema revision {revision or '(none)'}, this ecomrisk at {head}: "
            "restore it with the ecomrisk version that made it, then run `ecomrisk db upgrade`"
        )


def _data_tables(engine: Engine) -> list[str]:
    """Tables holding rows beyond what a fresh `ecomrisk db upgrade` writes."""
    with engine.connect() as connection:
        present = set(connection.dialect.get_table_names(connection))
        return [
            t.name
            for t in metadata.sorted_tables
            if t.name in present
            and t.name not in SEEDED_TABLES
            and connection.execute(select(t).limit(1)).first() is not None
        ]


def _refuse_data(engine: Engine, force: bool, can_replace: bool) -> None:
    holding = _data_tables(engine)
    if not holding:
        return
    if not force:
        names = ", ".join(holding[:5]) + (" ..." if len(holding) > 5 else "")
        raise BackupError(
            f"the target store is not empty ({names} hold rows): restore into an empty "
            "store, or pass --force to replace everything in it"
        )
    if not can_replace:
        raise BackupError(
            "--force into a SQLite store needs a SQLite backup file; to load a dump, "
            "point database_url at a new SQLite file"
        )


# (table, column names, values): one item per row, tables in foreign-key order.
Rows = Iterator[tuple[Table, list[str], list[Any]]]


def _rows_of_dump(handle: IO[str]) -> Rows:
    """The rows of a dump, read after its header: a table line, then its rows."""
    by_name = {t.name: t for t in metadata.sorted_tables}
    table: Table | None = None
    names: list[str] = []
    for line in handle:
        item = json.loads(line)
        if isinstance(item, dict):
            table = by_name.get(str(item.get("table")))
            if table is None:
                raise BackupError(f"the dump holds table {item.get('table')!r}, unknown here")
            names = item["columns"]
        elif table is not None:
            yield table, names, item


def _rows_of_store(engine: Engine) -> Rows:
    """The rows of another store (a SQLite backup loaded into PostgreSQL)."""
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = list(table.columns)
            names = [c.name for c in columns]
            for row in connection.execution_options(yield_per=ROWS_PER_INSERT).execute(
                select(table)
            ):
                yield table, names, [encode(c, v) for c, v in zip(columns, row, strict=True)]


def _load(
    engine: Engine, revision: str | None, rows: Rows, force: bool, progress: Progress
) -> Summary:
    if migrate.status(engine).current is None:
        migrate.upgrade(engine)  # a new, empty database gets the schema first
    elif not migrate.status(engine).up_to_date:
        raise BackupError("the target store is not at the schema head: run `ecomrisk db upgrade`")
    _refuse_data(engine, force, can_replace=engine.dialect.name == "postgresql")
    done = 0
    tables: set[str] = set()
    with engine.begin() as connection:  # all or nothing
        if engine.dialect.name == "postgresql":
            # TRUNCATE fires no row triggers: the append-only audit log is emptied too.
            names = ", ".join(t.name for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):  # only seeded rows are left
                connection.execute(table.delete())
        batch: list[dict[str, Any]] = []
        current: Table | None = None

        def flush() -> None:
            nonlocal done, batch
            if current is not None and batch:
                connection.execute(current.insert(), batch)
                done += len(batch)
                progress("restoring rows", done, done)
            batch = []

        for table, names_in_file, values in rows:
            if table is not current or len(batch) >= ROWS_PER_INSERT:
                flush()
                current = table
                tables.add(table.name)
            batch.append(
                {n: decode(table.c[n], v) for n, v in zip(names_in_file, values, strict=True)}
            )
        flush()
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection)
    return Summary("dump", revision, len(tables), done)


def _reset_sequences(connection: Any) -> None:
    """Ids were restored as they were: the next id continues after the largest."""
    for table in metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        ).scalar()
        if sequence is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(:s, COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) IS NOT NULL FROM {table.name}))"
            ),
            {"s": sequence},
        )
