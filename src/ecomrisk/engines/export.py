"""``ecomrisk export parquet``: the tables batch jobs read, written out of the store
as Parquet partitioned by day (``table/day=YYYY-MM-DD/*.parquet``, Hive style), which
DuckDB and Spark both read (``engines.batch``: a relation given as a folder).

Each table is streamed out in batches (bounded memory) into a folder beside the
old one and swapped in only when complete, so a failed export leaves the last
good one and a re-run neither duplicates nor loses rows.
"""

import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from sqlalchemy import JSON, BigInteger, Boolean, Engine, Float, Integer, Table, func, select

from ecomrisk.store.schema import decisions, feature_events, outcome_events, outcomes, shipments
from ecomrisk.store.types import Money, UTCDateTime

EXPORT_BATCH_ROWS = 50_000
DAY_COLUMN = "day"
# Rows per Parquet file: files big enough to read fast, small enough to split.
MAX_ROWS_PER_FILE = 1_000_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Exported:
    table: Table
    day_of: str  # the column whose date partitions the table
    in_seconds: bool = False  # the column holds epoch seconds, not a timestamp


EXPORTED = (
    Exported(shipments, "received_at"),
    Exported(decisions, "decided_at"),
    Exported(outcomes, "recorded_at"),
    Exported(feature_events, "received_s", in_seconds=True),
    Exported(outcome_events, "recorded_s", in_seconds=True),
)


def _arrow_type(column: Any) -> pa.DataType:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Integer | BigInteger) or column.name == "id":
        return pa.int64()
    if isinstance(kind, Float):
        return pa.float64()
    return pa.string()  # text, JSON documents, and money kept exact as its decimal text


def arrow_schema(table: Table) -> pa.Schema:
    """The Parquet schema of ``table``, with the day it is partitioned by."""
    fields = [pa.field(c.name, _arrow_type(c)) for c in table.columns]
    return pa.schema([*fields, pa.field(DAY_COLUMN, pa.string())])


def _cell(value: Any, column: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, JSON):  # JSONDoc: JSON, JSONB on PostgreSQL
        return json.dumps(value, sort_keys=True)
    if isinstance(column.type, Money):
        return str(value)
    return value


def _day(value: Any, in_seconds: bool) -> str:
    moment = datetime.fromtimestamp(value, UTC) if in_seconds else value.astimezone(UTC)
    return moment.date().isoformat()


def _batches(
    engine: Engine, spec: Exported, done: Callable[[int], None]
) -> Iterator[pa.RecordBatch]:
    schema = arrow_schema(spec.table)
    columns = list(spec.table.columns)
    position = [c.name for c in columns].index(spec.day_of)
    key = spec.table.primary_key.columns.values()[0]
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=EXPORT_BATCH_ROWS).execute(
            select(spec.table).order_by(key)
        )
        for rows in result.partitions():
            arrays = [
                pa.array([_cell(row[i], c) for row in rows], f.type)
                for i, (c, f) in enumerate(zip(columns, schema, strict=False))
            ]
            days = [_day(row[position], spec.in_seconds) for row in rows]
            arrays.append(pa.array(days, pa.string()))
            done(len(rows))
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def store_relation(
    engine: Engine, table: Table, where: Any = None, columns: Sequence[str] | None = None
) -> pa.Table:
    """``table`` (its ``columns`` of the rows matching ``where``, if given) streamed out
    of the store as Arrow, typed as in the export (JSON as text, money as its decimal
    text), without the day column: a relation for a batch engine, straight from the store."""
    chosen = [c for c in table.columns if columns is None or c.name in columns]
    schema = pa.schema([pa.field(c.name, _arrow_type(c)) for c in chosen])
    query = select(*chosen) if where is None else select(*chosen).where(where)
    batches = []
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=EXPORT_BATCH_ROWS).execute(query)
        for rows in result.partitions():
            arrays = [
                pa.array([_cell(row[i], c) for row in rows], f.type)
                for i, (c, f) in enumerate(zip(chosen, schema, strict=True))
            ]
            batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def swap_in(partial: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        target.rename(old)
    partial.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def export_parquet(
    engine: Engine, folder: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Write every exported table under ``folder``; returns the rows written per table."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for spec in EXPORTED:
        name = spec.table.name
        with engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(spec.table)).scalar_one()
        partial = folder / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        count = 0

        def done(rows: int, name: str = name, total: int = total) -> None:
            nonlocal count
            count += rows
            if progress is not None:
                progress(name, count, total)

        schema = arrow_schema(spec.table)
        ds.write_dataset(
            _batches(engine, spec, done),
            partial,
            schema=schema,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([schema.field(DAY_COLUMN)]), flavor="hive"),
            max_rows_per_file=MAX_ROWS_PER_FILE,
            max_rows_per_group=min(MAX_ROWS_PER_FILE, 128 * 1024),
            existing_data_behavior="error",
        )
        if count == 0:  # readers need one file to know the columns
            partial.mkdir(exist_ok=True)
            pq.write_table(schema.empty_table(), partial / "empty.parquet")
        if progress is not None:
            progress(name, count, total)
        swap_in(partial, folder / name)
        written[name] = count
    return written
