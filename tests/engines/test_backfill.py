"""The feature backfill writes, on either engine, the history features the batch
path computes, one row per shipment version; a re-run replaces the files whole."""

from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine, DuckDBEngine
from ecomrisk.engines.export import export_parquet
from ecomrisk.features.backfill import backfill
from ecomrisk.features.batch import batch_history_features
from tests.engines.test_export import _fill
from tests.histories import US_DAY_OFFSET_S, History


def _rows(folder: Path) -> list[dict[str, object]]:
    return sorted(
        ds.dataset(folder, format="parquet").to_table().to_pylist(), key=lambda r: r["sid"]
    )


def test_the_backfill_writes_the_batch_history_features(
    sqlite_engine: Engine, engine: BatchEngine, tmp_path: Path
) -> None:
    _fill(History(sqlite_engine))
    export_parquet(sqlite_engine, tmp_path / "x")
    expected = batch_history_features(sqlite_engine, US_DAY_OFFSET_S, batch=DuckDBEngine())
    stages: list[tuple[str, int, int]] = []
    out = tmp_path / "features"
    written = backfill(
        sqlite_engine, US_DAY_OFFSET_S, out, engine, tmp_path / "x", lambda *s: stages.append(s)
    )
    assert written == expected.num_rows > 0
    for got, want in zip(_rows(out), expected.to_pylist(), strict=True):
        assert got == pytest.approx(want)
    assert stages[-1][1] == stages[-1][2]  # the bar ends full
    # Again, from the store this time (on DuckDB: Spark's feature SQL takes minutes
    # on a loaded two-core machine): the same rows, the old files replaced whole.
    assert backfill(sqlite_engine, US_DAY_OFFSET_S, out, DuckDBEngine()) == written
    assert len(_rows(out)) == written
    # Nothing left beside it: no partial folder, no DuckDB spill folder.
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
