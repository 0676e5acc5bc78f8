"""Point-in-time encodings: worked cases, and no row ever sees its own or a later label."""

import numpy as np
import pandas as pd
import pytest

from ecomrisk.risk.model import encodings

DAYS = pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-02", "2020-01-03", "2020-01-03"])


def _small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": DAYS,
            "importer": ["A", "A", "A", "B", None],
            "hs": ["01", "02", "01", "01", "01"],
            "y": [1.0, 0.0, 1.0, np.nan, 0.0],
        }
    )


def test_counts_by_hand() -> None:
    counts = encodings.history_counts(_small(), ["importer", ("importer", "hs")], time="day")
    assert counts["n_importer"].tolist()[:4] == [0, 0, 2, 0]
    assert np.isnan(counts["n_importer"].iloc[4])  # a missing key is no entity
    assert counts["n_importer+hs"].tolist()[:4] == [0, 0, 1, 0]


def test_rates_by_hand() -> None:
    rates = encodings.history_rates(
        _small(), ["importer", "hs"], time="day", label="y", prior_weight=2
    )
    # Row 2 (A, day 2): rows 0 and 1 are earlier, one violation; prior before day 2 = 1/2.
    assert rates.loc[2, "lab_importer"] == 2
    assert rates.loc[2, "pos_importer"] == 1
    assert rates.loc[2, "rate_importer"] == pytest.approx((1 + 2 * 0.5) / (2 + 2))
    # Row 3 (B, day 3): nothing known of B; the rate is the prior (2 of 3 labelled before day 3).
    assert rates.loc[3, "lab_importer"] == 0
    assert rates.loc[3, "rate_importer"] == pytest.approx(2 / 3)
    # Row 4 (hs 01, day 3): rows 0 and 2 are earlier hs 01 rows, both violations.
    assert rates.loc[4, "pos_hs"] == 2
    assert rates.loc[4, "rate_hs"] == pytest.approx((2 + 2 * 2 / 3) / (2 + 2))
    # The first day has no earlier labels at all: no prior, no rate.
    assert rates.loc[[0, 1], "rate_hs"].isna().all()
    fixed = encodings.history_rates(_small(), ["hs"], time="day", label="y", prior=0.25)
    assert fixed.loc[0, "rate_hs"] == pytest.approx(0.25)


def _random(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "day": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D"),
            "importer": rng.choice(list("ABCDEFG"), n),
            "hs": rng.choice(["01", "02", "03"], n),
            "y": rng.integers(0, 2, n).astype(float),
        }
    )


KEYS: list[encodings.Key] = ["importer", "hs", ("importer", "hs")]


def test_no_row_sees_its_own_or_a_later_label() -> None:
    frame = _random(400, 1)
    before = encodings.history_rates(frame, KEYS, time="day", label="y")
    cut = pd.Timestamp("2020-01-15")
    # Flip every label on or after the cut: rows up to and on the cut must not move.
    flipped = frame.assign(y=np.where(frame["day"] >= cut, 1 - frame["y"], frame["y"]))
    after = encodings.history_rates(flipped, KEYS, time="day", label="y")
    unmoved = frame["day"] <= cut
    pd.testing.assert_frame_equal(before[unmoved], after[unmoved])
    # ... and rows after the cut do move, so the check can fail.
    assert not before[~unmoved].equals(after[~unmoved])


def test_hidden_labels_teach_nothing() -> None:
    frame = _random(400, 2)
    scored = frame["day"] >= pd.Timestamp("2020-01-20")
    hidden = frame.assign(y=frame["y"].where(~scored))
    flipped = frame.assign(y=np.where(scored, 1 - frame["y"], frame["y"]))
    a = encodings.history_rates(hidden, KEYS, time="day", label="y")
    b = encodings.history_rates(
        flipped.assign(y=flipped["y"].where(~scored)), KEYS, time="day", label="y"
    )
    pd.testing.assert_frame_equal(a, b)
    # Hidden rows still count as rows (no label needed to count them).
    counts = encodings.history_counts(hidden, ["importer"], time="day")
    assert counts["n_importer"].max() > a["lab_importer"].max()


def test_out_of_fold_never_uses_a_rows_own_fold() -> None:
    frame = _random(300, 3)
    base = encodings.out_of_fold_rates(frame, KEYS, label="y", folds=5, seed=9)
    fold = np.random.default_rng(9).integers(0, 5, size=len(frame))
    in_fold = fold == 0
    # Flip the labels of fold 0: fold 0's own encodings must not change, the others must.
    flipped = frame.assign(y=np.where(in_fold, 1 - frame["y"], frame["y"]))
    after = encodings.out_of_fold_rates(flipped, KEYS, label="y", folds=5, seed=9)
    pd.testing.assert_frame_equal(base[in_fold], after[in_fold])
    assert not base[~in_fold].equals(after[~in_fold])


def test_apply_rates_uses_the_training_rows() -> None:
    train = _small()
    later = pd.DataFrame({"importer": ["A", "Z", None], "hs": ["01", "01", "02"]})
    encoded = encodings.apply_rates(train, later, ["importer"], label="y", prior_weight=2)
    prior = 2 / 4
    assert encoded.loc[0, "lab_importer"] == 3
    assert encoded.loc[0, "rate_importer"] == pytest.approx((2 + 2 * prior) / (3 + 2))
    assert encoded.loc[1, "rate_importer"] == pytest.approx(prior)
    assert np.isnan(encoded.loc[2, "rate_importer"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda f: encodings.history_counts(f, ["nope"], time="day"),
            r"missing columns \['nope'\]",
        ),
        (
            lambda f: encodings.history_rates(f.assign(y=2.0), ["hs"], time="day", label="y"),
            "y: labels",
        ),
        (
            lambda f: encodings.history_rates(f, ["hs"], time="day", label="y", prior_weight=0),
            "prior_weight: must be > 0",
        ),
        (
            lambda f: encodings.out_of_fold_rates(f, ["hs"], label="y", folds=1),
            "folds: must be >= 2",
        ),
    ],
)
def test_bad_input_names_the_field(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call(_small())
