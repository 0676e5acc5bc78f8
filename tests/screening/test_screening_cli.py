"""The screening commands, run as a user runs them."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecomrisk.cli import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_import_lists_check_rescreen(data_dir: Path) -> None:
    own = data_dir / "own.csv"
    own.write_text(
        "name,aliases,address,country,reason\nGolden Star Trading LLC,,Dubai,AE,fakes\n", "utf-8"
    )
    result = runner.invoke(app, ["screening", "import", "--kind", "agency", str(own)])
    assert result.exit_code == 0, result.output
    assert "version 1 of 'agency'" in result.output
    assert "Re-screened stored parties: agency 0 hits" in result.output  # at import
    assert (
        "already has this content"
        in runner.invoke(app, ["screening", "import", "--kind", "agency", str(own)]).output
    )
    assert "agency" in runner.invoke(app, ["screening", "lists"]).output
    check = runner.invoke(app, ["screening", "check", "Golden Star Trading Co", "--country", "AE"])
    assert check.exit_code == 0, check.output
    assert "name_similarity" in check.output
    assert "No hit" in runner.invoke(app, ["screening", "check", "Golden Sun Trading"]).output
    assert "already screened" in runner.invoke(app, ["screening", "rescreen"]).output
    assert "agency: 0 hits" in runner.invoke(app, ["screening", "rescreen", "--all"]).output


def test_bad_file_is_rejected_with_line_and_field(data_dir: Path) -> None:
    bad = data_dir / "bad.csv"
    bad.write_text("name,aliases,address,country,reason\nA,,,ZZ,x\n", "utf-8")
    result = runner.invoke(app, ["screening", "import", "--kind", "agency", str(bad)])
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert "country" in result.output
