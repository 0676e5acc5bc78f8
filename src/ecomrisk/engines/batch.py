"""The batch executors: run ecomrisk's SQL, or a Python function over Arrow batches,
on DuckDB or on Spark. All I/O of a batch engine is here; the SQL is built elsewhere
(``features/sql.py``, ``risk/rules/sql.py``) with the executor's dialect.

Relations are Arrow tables (streamed out of the store) or folders of Parquet (the
export, ``ecomrisk export parquet``), named as the SQL names them.
"""

import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from ecomrisk.engines.dialects import DUCKDB, SPARK, Dialect
from ecomrisk.engines.spark import spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

Relation: TypeAlias = pa.Table | Path
BatchFunction: TypeAlias = Callable[[pa.RecordBatch], pa.RecordBatch]
ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[2]"
MAP_BATCH_ROWS = 10_000
# DuckDB's memory when it writes a query to Parquet; the rest spills to disk (about
# 15 % more CPU than unbounded at a million filings, peak 1.8 against 3.4 GB).
WRITE_MEMORY_LIMIT = "1GB"


class BatchEngine(Protocol):
    name: str
    dialect: Dialect
    # In this process, on this machine: a job with an in-memory method (igraph's
    # PageRank, say) uses that instead, being faster there and exact.
    in_process: bool

    def query(self, sql: str, relations: Mapping[str, Relation]) -> pa.Table:
        """The result of ``sql`` over ``relations``, as one Arrow table."""
        ...

    def map_batches(self, table: pa.Table, function: BatchFunction, schema: pa.Schema) -> pa.Table:
        """``function`` applied to each Arrow batch of ``table``; rows stay in order."""
        ...

    def stream(
        self, sql: str, relations: Mapping[str, Relation], batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        """The result of ``sql`` batch by batch (about ``batch_rows`` rows each, in the
        query's order), so the caller holds one batch at a time, not the whole result."""
        ...

    def write_parquet(
        self,
        sql: str,
        relations: Mapping[str, Relation],
        folder: Path,
        partition_by: str | None = None,
    ) -> None:
        """The result of ``sql`` written as Parquet files into ``folder`` (made anew) by
        the engine itself: rows stream from query to files, never all in memory. With
        ``partition_by`` (a column), one Hive folder per value (``column=value/``)."""
        ...

    def map_parquet(
        self, source: Path, function: BatchFunction, schema: pa.Schema, folder: Path
    ) -> None:
        """``function`` over the Arrow batches of the Parquet under ``source``, written as
        Parquet into ``folder``: a batch job whose rows never meet on the driver."""
        ...


def _parquet_glob(folder: Path) -> str:
    return str(folder / "**" / "*.parquet")


# DuckDB parallelises by row groups of this many rows: a query needs k of them to run
# on k threads (its performance guide). Over fewer, a second thread has nothing to do
# and only costs: the history-feature query over 10,500 filings took ~23.5 us of CPU
# a filing on two threads against ~18.5 on one, and no less wall time.
DUCKDB_ROW_GROUP_ROWS = 122_880


def _connect(relations: Mapping[str, Relation]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with ``relations`` registered, on no more threads than the
    in-memory relations have row groups (Parquet ones: DuckDB's default)."""
    duck = duckdb.connect()
    if relations and all(isinstance(r, pa.Table) for r in relations.values()):
        largest = max(r.num_rows for r in relations.values() if isinstance(r, pa.Table))
        useful = max(1, -(-largest // DUCKDB_ROW_GROUP_ROWS))
        threads = duck.sql("SELECT current_setting('threads')").fetchone()
        if threads is not None and useful < int(threads[0]):
            duck.sql(f"SET threads = {useful}")
    _register(duck, relations)
    return duck


def _register(duck: duckdb.DuckDBPyConnection, relations: Mapping[str, Relation]) -> None:
    for name, relation in relations.items():
        if isinstance(relation, Path):
            source = _parquet_glob(relation).replace("'", "''")
            duck.sql(
                f"CREATE VIEW {name} AS SELECT * FROM "
                f"read_parquet('{source}', hive_partitioning = true)"
            )
        else:
            duck.register(name, relation)


class DuckDBEngine:
    name = "duckdb"
    dialect = DUCKDB
    in_process = True

    def query(self, sql: str, relations: Mapping[str, Relation]) -> pa.Table:
        with _connect(relations) as duck:
            return duck.sql(sql).to_arrow_table()

    def stream(
        self, sql: str, relations: Mapping[str, Relation], batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        with _connect(relations) as duck:
            # DuckDB produces the result as the reader is read: one batch in Python at a time.
            yield from duck.sql(sql).fetch_record_batch(batch_rows)

    def map_batches(self, table: pa.Table, function: BatchFunction, schema: pa.Schema) -> pa.Table:
        batches = [function(b) for b in table.to_batches(max_chunksize=MAP_BATCH_ROWS)]
        return pa.Table.from_batches(batches, schema=schema)

    def write_parquet(
        self,
        sql: str,
        relations: Mapping[str, Relation],
        folder: Path,
        partition_by: str | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=False)
        # Bounded memory whatever the rows: DuckDB's sorts and windows (the backfill's
        # running sums) spill past the limit to a folder beside the output, removed
        # after. Without it they grow in memory (3.4 GB at a million filings).
        with (
            tempfile.TemporaryDirectory(prefix=".spill-", dir=folder.parent) as spill,
            duckdb.connect(
                config={"memory_limit": WRITE_MEMORY_LIMIT, "temp_directory": spill}
            ) as duck,
        ):
            _register(duck, relations)
            if partition_by is None:
                target = str(folder / "part-0.parquet").replace("'", "''")
                duck.sql(f"COPY ({sql}) TO '{target}' (FORMAT PARQUET)")
            else:
                target = str(folder).replace("'", "''")
                duck.sql(
                    f"COPY ({sql}) TO '{target}' "
                    f"(FORMAT PARQUET, PARTITION_BY ({partition_by}), OVERWRITE_OR_IGNORE)"
                )

    def map_parquet(
        self, source: Path, function: BatchFunction, schema: pa.Schema, folder: Path
    ) -> None:
        batches = ds.dataset(source, format="parquet", partitioning="hive").to_batches(
            batch_size=MAP_BATCH_ROWS
        )
        ds.write_dataset((function(b) for b in batches), folder, schema=schema, format="parquet")


@dataclass(frozen=True)
class SparkEngine:
    master: str = DEFAULT_SPARK_MASTER
    name = "spark"
    dialect = SPARK
    in_process = False

    def _frame(self, sql: str, relations: Mapping[str, Relation]) -> "DataFrame":
        session = spark_session(self.master)
        for name, relation in relations.items():
            frame = (
                session.read.parquet(str(relation))
                if isinstance(relation, Path)
                else session.createDataFrame(relation)
            )
            frame.createOrReplaceTempView(name)
        return session.sql(sql)

    def query(self, sql: str, relations: Mapping[str, Relation]) -> pa.Table:
        return self._frame(sql, relations).toArrow()

    def stream(
        self, sql: str, relations: Mapping[str, Relation], batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        frame = self._frame(sql, relations)
        # Partition by partition to the driver, in the query's order (toLocalIterator
        # keeps a sort's order): the driver never holds more than a partition and a batch.
        rows: list[dict[str, object]] = []
        for row in frame.toLocalIterator(prefetchPartitions=True):
            rows.append(row.asDict())
            if len(rows) == batch_rows:
                yield pa.RecordBatch.from_pylist(rows)
                rows = []
        if rows:
            yield pa.RecordBatch.from_pylist(rows)

    def write_parquet(
        self,
        sql: str,
        relations: Mapping[str, Relation],
        folder: Path,
        partition_by: str | None = None,
    ) -> None:
        writer = self._frame(sql, relations).write.mode("errorifexists")
        if partition_by is not None:
            writer = writer.partitionBy(partition_by)
        writer.parquet(str(folder))

    def map_parquet(
        self, source: Path, function: BatchFunction, schema: pa.Schema, folder: Path
    ) -> None:
        from pyspark.sql.pandas.types import from_arrow_schema

        def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                yield function(batch)

        frame = spark_session(self.master).read.parquet(str(source))
        mapped = frame.mapInArrow(apply, from_arrow_schema(schema))
        mapped.write.mode("errorifexists").parquet(str(folder))

    def map_batches(self, table: pa.Table, function: BatchFunction, schema: pa.Schema) -> pa.Table:
        from pyspark.sql.pandas.types import from_arrow_schema

        session = spark_session(self.master)
        # An ordinal column keeps the input order: partitions come back in any order.
        numbered = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
        out = schema.append(pa.field("_row", pa.int64()))

        def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                result = function(batch.drop_columns(["_row"]))
                yield result.append_column("_row", batch.column("_row"))

        frame = session.createDataFrame(numbered).mapInArrow(apply, from_arrow_schema(out))
        return frame.orderBy("_row").toArrow().drop_columns(["_row"]).cast(schema)


def batch_engine(name: str, spark_master: str = DEFAULT_SPARK_MASTER) -> BatchEngine:
    """The executor called ``name`` (``duckdb`` or ``spark``)."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(spark_master)
    raise ValueError(f"batch engine {name!r} is not known (known: {', '.join(ENGINES)})")
