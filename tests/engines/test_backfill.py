"""The feature backfill writes, on either engine, the history features the batch
path computes, one row per shipment version; a re-run replaces the files whole."""

import random
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine, DuckDBEngine
from ecomrisk.engines.export import export_parquet
from ecomrisk.features.backfill import backfill
from ecomrisk.features.batch import batch_history_features
from tests.engines.test_export import _fill
from tests.histories import T0, US_DAY_OFFSET_S, History


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


def _messy(history: History) -> None:
    """Hot keys (two shippers, three consignees), NULL keys (no address or phone),
    amendments (of them some filed with an earlier time than the version they
    supersede, some changing the key), cancellations, ties on a second, outcomes."""
    rng = random.Random(3)
    for i in range(120):
        sid = history.file(
            f"r{rng.randint(0, 50)}",
            received=T0 + timedelta(hours=i * 2, minutes=rng.choice([0, 0, -90, 30])),
            arrival=T0 + timedelta(hours=i * 2 + rng.randint(0, 40)),
            value=str(rng.randint(1, 900)),
            consignee=rng.choice(["ann", "bob", "cy"]),
            address=rng.choice(["addr1", "addr2", "addr3", None]),
            phone=rng.choice(["+1555", "+1666", None]),
            shipper=rng.choice(["s1", "s1", "s1", "s2"]),
            status=rng.choice(["active"] * 6 + ["cancelled"]),
        )
        if rng.random() < 0.25:
            history.outcome(
                sid,
                recorded=T0 + timedelta(hours=i * 2 + 1),
                violation=rng.random() < 0.5,
                seize=rng.random() < 0.3,
            )


@pytest.mark.parametrize("bucket_rows", [7, 50])
def test_the_bucketed_backfill_equals_the_one_query(
    sqlite_engine: Engine, tmp_path: Path, bucket_rows: int
) -> None:
    """On DuckDB the backfill computes a key column at a time, a bucket of its values
    at a time (here 7 or 50 versions a bucket: with 7, many buckets hold one key or
    none, and a hot key's bucket most rows), and joins them a range of sids at a time:
    exactly the one query's numbers, every row, in sid order."""
    _messy(History(sqlite_engine))
    expected = batch_history_features(sqlite_engine, US_DAY_OFFSET_S, batch=DuckDBEngine())
    out = tmp_path / "features"
    written = backfill(sqlite_engine, US_DAY_OFFSET_S, out, DuckDBEngine(), bucket_rows=bucket_rows)
    got = ds.dataset(out, format="parquet").to_table()  # files in name order: sid order
    assert written == expected.num_rows > 100
    assert got.schema == expected.schema
    assert got.to_pylist() == expected.to_pylist()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_rows_are_written_by_bucket_of_a_hash_on_either_engine(
    engine: BatchEngine, tmp_path: Path
) -> None:
    """What the bucketing stands on: the dialect's bucket of a value's hash is in
    0..n-1 (Spark's hash is signed) and ``partition_by`` writes a Hive folder per
    bucket holding exactly its rows."""
    keys = pa.table({"sid": list(range(60)), "key": [f"k{i % 9}" for i in range(60)]})
    bucket = engine.dialect.bucket("key", 4)
    sql = f"SELECT sid, key, {bucket} AS bucket FROM keys"
    engine.write_parquet(sql, {"keys": keys}, tmp_path / "split", partition_by="bucket")
    folders = sorted(p.name for p in (tmp_path / "split").iterdir() if p.is_dir())
    assert folders
    assert set(folders) <= {f"bucket={b}" for b in range(4)}
    buckets: dict[str, set[str]] = {}
    written = 0
    for folder in folders:
        for row in ds.dataset(tmp_path / "split" / folder, format="parquet").to_table().to_pylist():
            buckets.setdefault(row["key"], set()).add(folder)
            written += 1
    assert written == 60  # every row once
    assert len(buckets) == 9
    assert all(len(b) == 1 for b in buckets.values())  # each key in one bucket
