"""Feature backfill: the history features of every shipment version, computed on a
batch engine (DuckDB or Spark) over the store's event tables or a Parquet export,
and written by the engine straight to Parquet (one row per version: ``sid`` and
each history feature), so that no step holds all rows in memory.

Per-filing features are not recomputed here: each filing's are stored as it is
decided (``filing_features``); the history features are the ones that change as
history is corrected or imported, and the ones that need the whole history.
"""

import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.dataset as ds
from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine
from ecomrisk.engines.export import swap_in
from ecomrisk.features.batch import event_relations
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.sql import all_features_sql

Progress = Callable[[str, int, int], None]
STEPS = 3


def backfill(
    engine: Engine | None,
    day_offset_s: int,
    out: Path,
    batch: BatchEngine,
    export: Path | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the history-feature matrix to ``out`` (replaced once the new one is
    whole); returns the rows written. ``engine`` (the store) may be None with ``export``."""

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
    batch.write_parquet(
        all_features_sql(HISTORY_FEATURES, batch.dialect, day_offset_s), relations, partial
    )
    swap_in(partial, out)
    step(STEPS, "written")
    return int(ds.dataset(out, format="parquet").count_rows())
