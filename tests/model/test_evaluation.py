"""Evaluation figures: the calibration curve's bins."""

import numpy as np
import pytest

from ecomrisk.risk.model.evaluation import calibration_curve


def test_calibration_bins_hold_equal_counts_and_every_row() -> None:
    rng = np.random.default_rng(0)
    p = rng.beta(0.5, 8, 1000)
    y = (rng.random(1000) < p).astype(float)
    curve = calibration_curve(y, p)
    assert len(curve) == 10
    assert sum(b["count"] for b in curve) == 1000
    assert all(90 <= b["count"] <= 110 for b in curve)
    predicted = [b["predicted"] for b in curve]
    assert predicted == sorted(predicted)
    # Well calibrated by construction: observed rates follow predictions.
    assert np.abs(np.array(predicted) - [b["observed"] for b in curve]).mean() < 0.05


def test_one_distinct_prediction_is_one_bin() -> None:
    (only,) = calibration_curve(np.array([0.0, 1.0, 0.0]), np.full(3, 0.2))
    assert only == {"predicted": pytest.approx(0.2), "observed": pytest.approx(1 / 3), "count": 3}
