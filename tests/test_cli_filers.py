"""The filers and ingest commands, end to end on a SQLite store."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.settings import get_settings
from tests.samples import shipment

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOMRISK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("ECOMRISK_CONFIG", raising=False)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_filer_lifecycle_and_ingest(env: Path) -> None:
    created = runner.invoke(app, ["filers", "create", "ACME", "--name", "Acme", "--type", "broker"])
    assert created.exit_code == 0, created.output
    assert "ek_" in created.output
    again = runner.invoke(app, ["filers", "create", "ACME", "--name", "A", "--type", "broker"])
    assert again.exit_code == 1
    rotated = runner.invoke(app, ["filers", "rotate-key", "ACME"])
    assert rotated.exit_code == 0
    listed = runner.invoke(app, ["filers", "list"])
    assert "ACME" in listed.output
    assert runner.invoke(app, ["filers", "revoke-key", "ACME"]).exit_code == 0

    data = env / "batch.ndjson"
    data.write_text("".join(json.dumps(shipment(f"F{i}")) + "\n" for i in range(5)) + "{bad\n")
    result = runner.invoke(app, ["ingest", str(data), "--filer", "ACME"])
    assert result.exit_code == 2, result.output
    assert "5 new" in result.output
    assert "line 6" in result.output
    rerun = runner.invoke(app, ["ingest", str(data), "--filer", "ACME"])
    assert "5 already filed" in rerun.output
    card = runner.invoke(app, ["filers", "scorecard", "ACME"])
    assert card.exit_code == 0
    assert "5 filings" in card.output
