"""The command line, run as a user runs it: every command documented, each one working."""

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from ecomrisk.cli import app

DOC = Path(__file__).parents[1] / "docs" / "cli.md"
runner = CliRunner()


def _command_paths(command: Any, prefix: str = "ecomrisk") -> list[str]:
    # Typer vendors its own click: walk groups by their ``commands`` mapping.
    subcommands = getattr(command, "commands", None)
    if subcommands:
        paths = []
        for name, sub in subcommands.items():
            paths += _command_paths(sub, f"{prefix} {name}")
        return paths
    return [prefix]


def test_every_command_is_documented_with_a_one_line_help() -> None:
    root = typer.main.get_command(app)
    doc = DOC.read_text()
    paths = _command_paths(root)
    assert len(paths) >= 10
    for path in paths:
        assert f"`{path}" in doc, f"{path} is missing from docs/cli.md"
    help_text = runner.invoke(app, ["--help"]).output
    for name in root.commands:
        assert name in help_text


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    return tmp_path


def test_demo_then_status_verify_and_rates(data_dir: Path) -> None:
    result = runner.invoke(app, ["demo", "--shipments", "300", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "300 accepted and decided, 0 refused" in result.output
    assert "Backtest of default@1" in result.output
    # Too few exams for a model in so small a world: the demo says so and goes on.
    assert "model: none, deciding on rules alone" in result.output
    assert "Selected to examine" in result.output
    assert "demo-analyst" in result.output
    assert (data_dir / "ecomrisk.db").exists()
    assert "loaded 30 exchange rates" in result.output
    assert runner.invoke(app, ["db", "status"]).exit_code == 0
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0
    assert "intact" in verify.output
    assert "USD" in runner.invoke(app, ["reference", "rates"]).output
    again = runner.invoke(app, ["demo", "--shipments", "300", "--no-serve"])  # replays
    assert again.exit_code == 0, again.output
    assert "300 accepted and decided" in again.output


def test_status_of_an_empty_store_fails(data_dir: Path) -> None:
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 1
    assert "ecomrisk db upgrade" in result.output


def test_import_rates_refuses_a_bad_file_and_changes_nothing(data_dir: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    bad = data_dir / "rates.csv"
    bad.write_text("# as_of: 2026-01-05\ncurrency,per_eur\nUSD,1.1\nGBX,0.8\n")
    result = runner.invoke(app, ["reference", "import-rates", str(bad)])
    assert result.exit_code == 1
    assert "line 4: unknown currency 'GBX'" in result.output
    assert "no rates in the store" in runner.invoke(app, ["reference", "rates"]).output
    good = data_dir / "good.csv"
    good.write_text("# as_of: 2026-01-05\n# source: test\ncurrency,per_eur\nUSD,1.1\n")
    assert runner.invoke(app, ["reference", "import-rates", str(good)]).exit_code == 0
    assert "2026-01-05" in runner.invoke(app, ["reference", "rates"]).output


def test_profiles_commands(tmp_path: Path) -> None:
    assert "US-2019" in runner.invoke(app, ["profiles", "list"]).output
    assert "CUSMA" in runner.invoke(app, ["profiles", "show", "CA"]).output
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "X"\n')
    result = runner.invoke(app, ["profiles", "check", str(bad)])
    assert result.exit_code == 1
    assert "name: Field required" in result.output


def test_reference_lookups() -> None:
    assert "section XVI" in runner.invoke(app, ["reference", "hs", "8471.30"]).output
    assert runner.invoke(app, ["reference", "hs", "0000"]).exit_code == 1
    assert "Germany" in runner.invoke(app, ["reference", "country", "de"]).output


def test_bad_settings_fail_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMRISK_BATCH_ENGINE", "oracle")
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 1
    assert "ECOMRISK_BATCH_ENGINE" in result.output
    assert "Traceback" not in result.output
