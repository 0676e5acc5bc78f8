"""The KCS benchmark's features never read the label in disguise, the key, or hidden labels."""

import numpy as np
import pandas as pd
import pytest
from bench import kcs, kcs_features


def _kcs(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fraud = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "Declaration ID": rng.integers(10**7, 10**8, n).astype(str),
            "Date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D"),
            "Office ID": rng.choice([30, 40], n),
            "Process Type": rng.choice(["A", "B"], n),
            "Import Type": rng.choice([11, 21], n),
            "Import Use": 21,
            "Payment Type": 11,
            "Mode of Transport": rng.choice([10, 40], n),
            "Declarant ID": rng.choice(["D1", "D2", "D3"], n),
            "Importer ID": rng.choice(["I1", "I2", "I3", "I4"], n),
            "Seller ID": rng.choice(["S1", "S2", None], n),
            "Courier ID": rng.choice(["C1", None], n),
            "HS6 Code": rng.choice([440890, 690722, 10121], n),
            "Country of Departure": rng.choice(["CN", "BE"], n),
            "Country of Origin": rng.choice(["CN", "BE", "VN"], n),
            "Tax Rate": rng.choice([0.0, 8.0], n),
            "Tax Type": rng.choice(["A", "FEU1"], n),
            "Country of Origin Indicator": rng.choice(["G", "Y"], n),
            "Net Mass": rng.uniform(1, 1000, n),
            "Item Price": rng.uniform(1000, 10**6, n),
            "Fraud": fraud,
            "Critical Fraud": fraud * rng.integers(1, 3, n),
        }
    ).assign(Date=lambda f: f["Date"].dt.strftime("%Y-%m-%d"))


def test_critical_fraud_and_the_key_are_never_read() -> None:
    raw = _kcs(300, 1)
    before = kcs_features.features(raw)
    changed = raw.assign(**{"Critical Fraud": 0, "Declaration ID": "x"})
    pd.testing.assert_frame_equal(before, kcs_features.features(changed))
    assert not set(kcs_features.NEVER_FEATURES) & set(before.columns)


def test_no_row_sees_its_own_or_a_later_label() -> None:
    raw = _kcs(300, 2)
    dates = pd.to_datetime(raw["Date"])
    cut = pd.Timestamp("2020-02-01")
    flipped = raw.assign(Fraud=np.where(dates >= cut, 1 - raw["Fraud"], raw["Fraud"]))
    a, b = kcs_features.features(raw), kcs_features.features(flipped)
    pd.testing.assert_frame_equal(a[dates <= cut], b[dates <= cut])
    assert not a[dates > cut].equals(b[dates > cut])  # later rows do learn from them


@pytest.mark.slow
def test_the_benchmark_hides_the_scored_periods_labels() -> None:
    raw = _kcs(300, 3)
    scored = pd.to_datetime(raw["Date"]) >= pd.Timestamp("2020-02-15")
    history, later = raw[~scored], raw[scored]
    _, a = kcs.encode(history, later)
    _, b = kcs.encode(history, later.assign(Fraud=1 - later["Fraud"]))
    pd.testing.assert_frame_equal(a, b)
    # The scored rows' rates do come from the history's labels: the check can fail.
    _, c = kcs.encode(history.assign(Fraud=1 - history["Fraud"]), later)
    assert not a["rate_Importer ID"].equals(c["rate_Importer ID"])
