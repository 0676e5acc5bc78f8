"""``ecomrisk programme`` on an embedded store: apply, evaluate, decide, re-vet."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.settings import get_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_the_programme_commands(data_dir: Path) -> None:
    applied = runner.invoke(
        app, ["programme", "apply", "shipper", "Tidy Freight", "--contact", "t@f.example"]
    )
    assert applied.exit_code == 0, applied.output
    assert "TP-000001: shipper 'tidy freight', pending" in applied.output
    evaluated = runner.invoke(app, ["programme", "evaluate", "TP-000001"])
    assert "0 shipments" in evaluated.output
    assert "fail" in evaluated.output
    refused = runner.invoke(app, ["programme", "decide", "TP-000001", "revoke", "--reason", "no"])
    assert refused.exit_code == 1
    assert "cannot revoke an application that is pending" in refused.output
    approved = runner.invoke(
        app, ["programme", "decide", "TP-000001", "approve", "--reason", "site visit passed"]
    )
    assert approved.exit_code == 0
    assert "TP-000001: approved" in approved.output
    assert "programme TP-000001" in runner.invoke(app, ["targeting", "trusted"]).output
    revetted = runner.invoke(app, ["programme", "revet", "--suspend"])
    assert revetted.exit_code == 0, revetted.output
    assert "1 members re-vetted, 1 failing" in revetted.output
    assert "suspended" in revetted.output
    listed = runner.invoke(app, ["programme", "list", "--status", "suspended"])
    assert "Tidy Freight" in listed.output
    bad = data_dir / "criteria.toml"
    bad.write_text("min_history_days = -1\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ECOMRISK_PROGRAMME_CRITERIA", str(bad))
        get_settings.cache_clear()
        failed = runner.invoke(app, ["programme", "revet"])
    get_settings.cache_clear()
    assert failed.exit_code == 1
    assert "min_history_days" in failed.output
    assert "intact" in runner.invoke(app, ["audit", "verify"]).output
