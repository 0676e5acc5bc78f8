"""Entity-history features of all history at once, on DuckDB.

The event tables are streamed out of the operational store as Arrow batches
(bounded memory on the way out), handed to DuckDB, and the same feature SQL as
the online path runs there over every filing.
"""

from collections.abc import Iterator

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, Table, select

from ecomrisk.engines.dialects import DUCKDB
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


def batch_history_features(
    engine: Engine,
    day_offset_s: int,
    features: tuple[Feature, ...] = HISTORY_FEATURES,
) -> pa.Table:
    """``sid`` and every feature for every shipment version in the store."""
    with duckdb.connect() as duck:
        duck.register("feature_events", export_events(engine, feature_events))
        duck.register("outcome_events", export_events(engine, outcome_events))
        sql = all_features_sql(features, DUCKDB, day_offset_s)
        return duck.sql(sql).to_arrow_table()
