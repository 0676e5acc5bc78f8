"""``ecomrisk model`` as a user runs it, on a store filed through ingestion."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_store_engine
from tests.model.store_history import Filings
from tests.samples import shipment

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    return tmp_path


def _history(data_dir: Path, n: int) -> None:
    settings = Settings(data_dir=data_dir)
    engine = create_store_engine(settings)
    migrate.upgrade(engine)
    filings = Filings(engine, settings)
    item = shipment()["items"][0]
    for i in range(n):
        cheap = i % 4 == 0
        sid = filings.file(
            f"S{i}",
            T0 + timedelta(minutes=10 * i),
            items=[{**item, "value": "0.50" if cheap else "59.90"}],
        )
        filings.outcome(
            sid,
            T0 + timedelta(minutes=10 * i, hours=40),
            violation=cheap != (i % 13 == 0),
            selection="random" if i % 5 == 0 else "targeted",
        )
    engine.dispose()


@pytest.mark.slow
def test_train_evaluate_promote_and_roll_back(data_dir: Path) -> None:
    refused = runner.invoke(app, ["model", "train"])
    assert refused.exit_code == 1
    assert "run `ecomrisk db upgrade` first" in refused.output
    _history(data_dir, 160)
    assert (
        "needs at least 50" in runner.invoke(app, ["model", "train", "--to", "2026-03-02"]).output
    )
    bad = runner.invoke(app, ["model", "train", "--calibration", "magic"])
    assert bad.exit_code == 1
    assert "--calibration 'magic'" in bad.output
    tuned = runner.invoke(app, ["model", "train", "--seed", "1"])
    assert tuned.exit_code == 0, tuned.output
    assert "tuning: 6 candidates" in tuned.output
    trained = runner.invoke(app, ["model", "train", "--seed", "2", "--no-tune"])
    assert trained.exit_code == 0, trained.output
    assert "trained risk@2 (draft) on 96 outcomes" in trained.output
    assert "tuning" not in trained.output
    search = json.loads(runner.invoke(app, ["model", "show", "risk@1"]).output)["tuning"]
    assert len(search["trials"]) == 6
    assert max(t["auc"] for t in search["trials"]) in [
        t["auc"] for t in search["trials"] if t["params"] == search["best"]
    ]
    assert json.loads(runner.invoke(app, ["model", "show", "risk@2"]).output)["tuning"] is None

    out = data_dir / "eval"
    evaluated = runner.invoke(app, ["model", "evaluate", "risk@1", "--out", str(out)])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads((out / "evaluation.json").read_text())
    assert report["model"] == "risk@1"
    assert report["populations"]["inspected"]["examples"] == 32
    assert set(report["populations"]["inspected"]["precision"]) == {"1%", "2%", "5%", "10%"}
    for png in ("calibration.png", "precision_at.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"

    assert runner.invoke(app, ["model", "promote", "risk@1"]).exit_code == 0
    assert runner.invoke(app, ["model", "promote", "risk@2"]).exit_code == 0
    listed = runner.invoke(app, ["model", "list"]).output
    assert "risk@1" in listed
    assert "retired" in listed
    shown = json.loads(runner.invoke(app, ["model", "show", "risk@2"]).output)
    assert shown["seed"] == 2
    assert shown["status"] == "live"
    rolled = runner.invoke(app, ["model", "rollback"])
    assert "risk@2 retired; risk@1 is live again" in rolled.output
    again = runner.invoke(app, ["model", "rollback"])
    assert again.exit_code == 1
    assert "nothing to roll back to" in again.output
    assert runner.invoke(app, ["model", "shadow", "risk@9"]).exit_code == 1
    scored = runner.invoke(app, ["score"])
    assert scored.exit_code == 0, scored.output
