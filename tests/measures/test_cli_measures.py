"""``ecomrisk measures`` on a real store: targets and baselines are audited, bad
input names the field and changes nothing, show and export read the store."""

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.store.schema import audit_log, measure_targets
from tests.targeting.conftest import store_url

runner = CliRunner()


@pytest.fixture
def cli_store(store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("ECOMRISK_DATABASE_URL", store_url(store))
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    return store


def _audited(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(audit_log).where(audit_log.c.entity == "measure")
        return int(connection.execute(query).scalar_one())


def test_target_baseline_show_and_export(cli_store: Engine, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["measures", "target", "compliance_rate", "0.97", "--by", "2027-12-31"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["measures", "baseline", "compliance_rate", "--from", "2026-01-01", "--to", "2026-07-01"],
    )
    assert result.exit_code == 0, result.output
    assert _audited(cli_store) == 2
    for bad, message in (
        (["measures", "target", "compliance_rate", "1.2"], "target: 1.2 must lie in [0, 1]"),
        (["measures", "target", "nope", "1"], "measure: 'nope' is not one of"),
        (
            ["measures", "baseline", "exam_rate", "--from", "2026-02-01", "--to", "2026-01-01"],
            "to: 2026-01-01 must come after from: 2026-02-01",
        ),
        (["measures", "show", "--grain", "year"], "grain: 'year' is not one of day, week, month"),
    ):
        result = runner.invoke(app, bad)
        assert result.exit_code == 1, bad
        assert message in " ".join(result.output.split()), result.output
    assert _audited(cli_store) == 2
    with cli_store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(measure_targets)).scalar() == 1
    result = runner.invoke(app, ["measures", "show", "--measure", "compliance_rate"])
    assert result.exit_code == 0, result.output
    assert "compliance_rate" in result.output
    out = tmp_path / "m.csv"
    result = runner.invoke(
        app,
        [
            "measures",
            "export",
            "--output",
            str(out),
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-01",
            "--grain",
            "month",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    volume = [r for r in rows if r["measure"] == "volume_by_mode"]
    assert [r["period"] for r in volume] == ["2026-01-01", "2026-02-01"]
    assert all(r["value"] == "0" for r in volume)  # an empty store counts nothing
    target = [r for r in rows if r["measure"] == "compliance_rate" and r["note"] == "target"]
    assert target[0]["value"] == "0.97"
    assert target[0]["period"] == "target 2027-12-31"
