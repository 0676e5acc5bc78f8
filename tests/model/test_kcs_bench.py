"""bench/kcs.py end to end, on a tiny file in the KCS format (the real data is not needed)."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.model.test_kcs_features import _kcs

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "kcs.py"


def _write(folder: Path) -> Path:
    raw = _kcs(500, 7)
    dates = pd.to_datetime(raw["Date"])
    raw[dates < "2020-02-01"].to_csv(folder / "df_syn_train_eng.csv", index=False)
    raw[(dates >= "2020-02-01") & (dates < "2020-02-15")].to_csv(
        folder / "df_syn_valid_eng.csv", index=False
    )
    test = folder / "later.csv"
    raw[dates >= "2020-02-15"].to_csv(test, index=False)
    return test


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_prints_precision_and_recall_for_valid_and_test(tmp_path: Path) -> None:
    test = _write(tmp_path)
    out = tmp_path / "result.json"
    done = _run(
        "--data",
        str(tmp_path),
        "--test",
        str(test),
        "--seeds",
        "2",
        "--part",
        "valid",
        "--out",
        str(out),
        "--plot",
        str(tmp_path / "p.png"),
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == json.loads(out.read_text())
    # Through the product: every file imported into a store with the kcs mapping.
    assert result["path"].startswith("ecomrisk history import --mapping kcs")
    imports = result["imports"]
    files = ("df_syn_train_eng.csv", "df_syn_valid_eng.csv", "later.csv")
    assert set(imports) == {str(tmp_path / f) for f in files}
    for path, facts in imports.items():
        # Every row is stored or rejected with its reason: none lost, none twice.
        assert facts["stored"] + facts["rejected"] == facts["rows"] == len(pd.read_csv(path))
        assert facts["stored"] > 0
    for part in ("valid", "test"):
        precision = result[part]["mean"]["precision"]
        assert set(precision) == {"1%", "2%", "5%", "10%"}
        assert all(0 <= v <= 1 for v in precision.values())
        assert len(result[part]["per_seed"]["recall"]["10%"]) == 2
    assert result["published_baselines_on_held_back_quarter"]["LightGBM"] == {
        "5%": 0.762,
        "10%": 0.641,
    }
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_a_file_without_a_column_is_refused_by_name(tmp_path: Path) -> None:
    test = _write(tmp_path)
    pd.read_csv(test).drop(columns=["Net Mass"]).to_csv(test, index=False)
    done = _run("--data", str(tmp_path), "--test", str(test), "--part", "valid")
    assert done.returncode != 0
    # Refused by the kcs mapping before any row is imported, naming the mapping line.
    assert "kcs.toml:" in done.stderr
    assert "column 'Net Mass' is not in the header of" in done.stderr
    assert "later.csv" in done.stderr
    assert done.stdout == ""
    direct = _run("--data", str(tmp_path), "--test", str(test), "--part", "valid", "--direct")
    assert direct.returncode != 0
    assert "missing columns ['Net Mass']" in direct.stderr
