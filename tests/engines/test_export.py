"""The Parquet export: what the store holds, partitioned by day, read the same by
both engines; a re-run replaces it whole."""

import random
from datetime import timedelta
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.engines.batch import BatchEngine, DuckDBEngine
from ecomrisk.engines.export import EXPORTED, export_parquet
from ecomrisk.features.batch import batch_history_features
from tests.histories import T0, US_DAY_OFFSET_S, History


def _fill(history: History, shipments: int = 40) -> list[int]:
    rng = random.Random(5)
    sids = []
    for i in range(shipments):
        sids.append(
            history.file(
                f"r{rng.randint(0, 25)}",
                received=T0 + timedelta(hours=i * 7),
                arrival=T0 + timedelta(hours=i * 7 + 20),
                value=str(rng.randint(1, 500)),
                consignee=rng.choice(["ann", "bob"]),
                address=rng.choice(["addr1", "addr2", None]),
                shipper=rng.choice(["s1", "s2"]),
                status=rng.choice(["active"] * 8 + ["cancelled"]),
            )
        )
        if i % 5 == 0:
            history.outcome(
                sids[-1], recorded=T0 + timedelta(hours=i * 7 + 3), violation=True, seize=i % 2 == 0
            )
    return sids


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_history_features_from_the_export_equal_those_from_the_store(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    history = History(sqlite_engine)
    _fill(history)
    export_parquet(sqlite_engine, tmp_path / "x")
    from_store = batch_history_features(sqlite_engine, US_DAY_OFFSET_S, batch=DuckDBEngine())
    from_export = batch_history_features(
        sqlite_engine, US_DAY_OFFSET_S, batch=DuckDBEngine(), export=tmp_path / "x"
    )
    assert from_export.num_rows == from_store.num_rows > 0
    for a, b in zip(from_store.to_pylist(), from_export.to_pylist(), strict=True):
        assert a == pytest.approx(b)


def test_both_engines_read_the_export_alike(
    sqlite_engine: Engine, engine: BatchEngine, tmp_path: Path
) -> None:
    # The feature SQL over the export is held equal on DuckDB above; Spark runs the same
    # SQL over Arrow in tests/features (its correlated subqueries are slow on tiny data).
    _fill(History(sqlite_engine), shipments=10)
    export_parquet(sqlite_engine, tmp_path / "x")
    sql = (
        "SELECT e.day AS day, COUNT(*) AS n, SUM(e.value) AS v, SUM(o.violation) AS bad"
        " FROM feature_events e LEFT JOIN outcome_events o ON o.sid = e.sid"
        " GROUP BY e.day ORDER BY e.day"
    )
    relations = {t: tmp_path / "x" / t for t in ("feature_events", "outcome_events")}
    rows = engine.query(sql, relations).to_pylist()
    assert rows == DuckDBEngine().query(sql, relations).to_pylist()
    assert sum(r["n"] for r in rows) == 10


def test_every_row_once_by_day_and_a_rerun_replaces_the_export(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    history = History(sqlite_engine)
    _fill(history, shipments=12)
    folder = tmp_path / "x"
    seen: dict[str, int] = {}
    first = export_parquet(sqlite_engine, folder, lambda t, done, total: seen.update({t: total}))
    for spec in EXPORTED:
        name = spec.table.name
        assert first[name] == _count(sqlite_engine, spec.table) == seen[name]
    days = sorted(p.name for p in (folder / "feature_events").iterdir())
    assert days[0] == f"day={T0.date().isoformat()}"
    assert len(days) > 1
    history.file("late", received=T0 + timedelta(days=30))
    again = export_parquet(sqlite_engine, folder)
    assert again["shipments"] == first["shipments"] + 1
    table = ds.dataset(folder / "shipments", format="parquet", partitioning="hive").to_table()
    ids = table.column("id").to_pylist()
    assert sorted(ids) == sorted(set(ids))
    assert len(ids) == again["shipments"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no partial left


def test_cli_exports_and_scores_from_the_export(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOMRISK_DATABASE_URL", str(sqlite_engine.url))
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    _fill(History(sqlite_engine), shipments=6)
    runner = CliRunner()
    result = runner.invoke(app, ["export", "parquet", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert "feature_events: 6 rows" in result.output
    scored = runner.invoke(app, ["score", "--engine", "duckdb", "--export", str(tmp_path / "x")])
    assert scored.exit_code == 0, scored.output
    assert "rescored" in scored.output
    wrong = runner.invoke(app, ["score", "--engine", "oracle"])
    assert wrong.exit_code == 1
    assert "--engine" in wrong.output
    assert "oracle" in wrong.output
