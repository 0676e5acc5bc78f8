"""Entity-history features of all history at once, on a batch engine.

The event tables are streamed out of the operational store as Arrow batches
(bounded memory on the way out) or read from a Parquet export, handed to the
batch engine (DuckDB by default, or Spark), and the same feature SQL as the
online path runs there over every filing.
"""

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine, Table, select

from ecomrisk.engines.batch import BatchEngine, DuckDBEngine, Relation
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.definitions import Feature
from ecomrisk.features.sql import all_features_sql
from ecomrisk.store.schema import feature_events, outcome_events

EXPORT_BATCH_ROWS = 50_000

_ARROW_TYPES = {
    "sid": pa.int64(),
    "filer_id": pa.int64(),
    "received_s": pa.int64(),
    "superseded_s": pa.int64(),
    "superseded_sid": pa.int64(),
    "arrival_s": pa.int64(),
    "value": pa.float64(),
    "outcome_id": pa.int64(),
    "recorded_s": pa.int64(),
    "violation": pa.int64(),
    "seizure": pa.int64(),
}


def _schema(table: Table) -> pa.Schema:
    return pa.schema([(c.name, _ARROW_TYPES.get(c.name, pa.string())) for c in table.columns])


def _batches(engine: Engine, table: Table) -> Iterator[pa.RecordBatch]:
    schema = _schema(table)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=EXPORT_BATCH_ROWS).execute(select(table))
        for rows in result.partitions():
            columns: list[tuple[object, ...]] = list(zip(*rows, strict=True))
            yield pa.RecordBatch.from_arrays(
                [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
                schema=schema,
            )


def export_events(engine: Engine, table: Table) -> pa.Table:
    """One event table of the store as Arrow."""
    return pa.Table.from_batches(list(_batches(engine, table)), schema=_schema(table))


def event_relations(engine: Engine, export: Path | None = None) -> dict[str, Relation]:
    """The event tables the feature SQL reads: from the store, or from an export."""
    if export is not None:
        return {name: export / name for name in ("feature_events", "outcome_events")}
    return {
        "feature_events": export_events(engine, feature_events),
        "outcome_events": export_events(engine, outcome_events),
    }


def batch_history_features(
    engine: Engine,
    day_offset_s: int,
    features: tuple[Feature, ...] = HISTORY_FEATURES,
    batch: BatchEngine | None = None,
    export: Path | None = None,
) -> pa.Table:
    """``sid`` and every feature for every shipment version in the store (or export)."""
    batch = batch or DuckDBEngine()
    sql = all_features_sql(features, batch.dialect, day_offset_s)
    return batch.query(sql, event_relations(engine, export))
