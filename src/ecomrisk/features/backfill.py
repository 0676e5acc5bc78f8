"""Feature backfill: the history features of every shipment version, computed on a
batch engine (DuckDB or Spark) over the store's event tables or a Parquet export,
and written by the engine straight to Parquet (one row per version: ``sid`` and
each history feature), so that no step holds all rows in memory.

Per-filing features are not recomputed here: each filing's are stored as it is
decided (``filing_features``); the history features are the ones that change as
history is corrected or imported, and the ones that need the whole history.

On DuckDB the features are computed a key column at a time and, past a million
versions, a bucket of that column's values at a time (``features.sql``: every
condition matches history on the feature's key), then joined by ``sid`` a range of
sids at a time: one query over every row sorted all its marks together under the
write memory limit, and the sorts spilled, so the cost per row grew with the rows
(22 to 48 us a row from 1 to 10 million, docs/benchmarks.md). Spark keeps the one
query: it shuffles and spills by partition key itself.
"""

import math
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine, Relation
from ecomrisk.engines.export import swap_in
from ecomrisk.features.batch import event_relations
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.definitions import Feature
from ecomrisk.features.sql import (
    SID_SPAN_SQL,
    all_features_sql,
    assembled_sql,
    bucketed_sql,
    key_groups,
    tables_read,
)

Progress = Callable[[str, int, int], None]
STEPS = 3
# Versions per bucket of a key column's values, and per range of sids when the
# groups are joined, on the engines that bucket (absent: one query).
BUCKET_ROWS = {"duckdb": 1_000_000}


def backfill(
    engine: Engine | None,
    day_offset_s: int,
    out: Path,
    batch: BatchEngine,
    export: Path | None = None,
    progress: Progress | None = None,
    bucket_rows: int | None = None,
) -> int:
    """Write the history-feature matrix to ``out`` (replaced once the new one is
    whole); returns the rows written. ``engine`` (the store) may be None with ``export``.
    ``bucket_rows``: versions per bucket (default: the engine's ``BUCKET_ROWS``)."""

    def step(done: int, what: str) -> None:
        if progress is not None:
            progress(f"backfill on {batch.name}: {what}", done, STEPS)

    step(0, "reading events")
    if engine is None and export is None:
        raise ValueError("backfill: read from the store or from an export, not from nothing")
    relations = event_relations(engine, export)  # type: ignore[arg-type]
    step(1, "computing and writing features")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    bucket_rows = bucket_rows or BUCKET_ROWS.get(batch.name)
    if bucket_rows is None:
        batch.write_parquet(
            all_features_sql(HISTORY_FEATURES, batch.dialect, day_offset_s), relations, partial
        )
    else:
        with tempfile.TemporaryDirectory(prefix=f".{out.name}.work-", dir=out.parent) as work:
            _write_bucketed(
                HISTORY_FEATURES, day_offset_s, batch, relations, partial, Path(work), bucket_rows
            )
    swap_in(partial, out)
    step(STEPS, "written")
    return int(ds.dataset(out, format="parquet").count_rows())


def _write_bucketed(
    features: tuple[Feature, ...],
    day_offset_s: int,
    batch: BatchEngine,
    relations: Mapping[str, Relation],
    folder: Path,
    work: Path,
    bucket_rows: int,
) -> None:
    """The matrix of ``all_features_sql`` written to ``folder`` (``part-00000.parquet``,
    ... in sid order), computed per key column, per bucket and per range of sids."""
    span = batch.query(SID_SPAN_SQL, relations).to_pylist()[0]
    rows = int(span["n"])
    buckets = max(1, math.ceil(rows / bucket_rows))
    groups: dict[str, Relation] = {}
    for i, group in enumerate(key_groups(features).values()):
        groups[f"group_{i}"] = computed = work / f"group-{i}"
        computed.mkdir()
        sql = all_features_sql(group, batch.dialect, day_offset_s)
        if buckets == 1:
            batch.write_parquet(sql, relations, computed / "bucket-0")
            continue
        split = work / f"split-{i}"
        parts: dict[str, list[Relation]] = {}
        for table in tables_read(group):
            rows_sql = bucketed_sql(group, table, buckets, batch.dialect)
            batch.write_parquet(rows_sql, relations, split / table, partition_by="bucket")
            # A bucket without rows has no folder: an empty table stands for it.
            empty = batch.query(f"SELECT * FROM ({rows_sql}) r LIMIT 0", relations)
            parts[table] = [_part(split / table / f"bucket={b}", empty) for b in range(buckets)]
        for b in range(buckets):
            bucket = {table: bucketed[b] for table, bucketed in parts.items()}
            batch.write_parquet(sql, bucket, computed / f"bucket-{b}")
        shutil.rmtree(split)  # the disk holds one group's split at a time
    folder.mkdir()
    # As many ranges of sids as buckets: each join and sort by sid stays in memory too.
    lo, hi = int(span["lo"] or 0), int(span["hi"] or 0)
    width = math.ceil((hi - lo + 1) / buckets)
    for r in range(buckets):
        sids = None if buckets == 1 else (lo + r * width, lo + (r + 1) * width)
        written = work / f"range-{r}"
        assembled = {"feature_events": relations["feature_events"], **groups}
        batch.write_parquet(assembled_sql(features, sids), assembled, written)
        for n, part in enumerate(sorted(written.glob("*.parquet"))):
            part.rename(folder / f"part-{r:05d}-{n}.parquet")


def _part(folder: Path, empty: pa.Table) -> Relation:
    return folder if folder.exists() else empty
