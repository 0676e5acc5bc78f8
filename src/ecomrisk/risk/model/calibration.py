"""From the trees' raw score to a probability of violation that means what it says.

Fitted on a later time slice than the trees, with the same selection weights,
so the probabilities are those of the flow, not of the inspected. Isotonic
regression where the slice is large enough to afford its steps; Platt scaling
(a logistic curve on the raw log-odds) on small slices, where isotonic steps
would follow noise. Both are stored as plain numbers and applied with NumPy.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

ISOTONIC_MIN_EXAMPLES = 1_000  # below this, Platt scaling
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.asarray(np.log(p / (1 - p)))


@dataclass(frozen=True)
class Calibration:
    method: str  # isotonic | platt | identity
    x: tuple[float, ...] = ()  # isotonic: raw-score knots
    y: tuple[float, ...] = ()  # isotonic: probabilities at the knots
    a: float = 1.0  # platt: p = sigmoid(a * logit(raw) + b)
    b: float = 0.0

    def apply(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=float)
        if self.method == "isotonic":
            return np.asarray(np.interp(raw, self.x, self.y))
        if self.method == "platt":
            return np.asarray(1 / (1 + np.exp(-(self.a * _logit(raw) + self.b))))
        return raw

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "x": list(self.x),
            "y": list(self.y),
            "a": self.a,
            "b": self.b,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Calibration":
        return cls(data["method"], tuple(data["x"]), tuple(data["y"]), data["a"], data["b"])


def fit_calibration(
    raw: np.ndarray, label: np.ndarray, weight: np.ndarray, method: str = "auto"
) -> Calibration:
    """Map raw scores to probabilities on a calibration slice (``method``: auto,
    isotonic or platt)."""
    if len(np.unique(label)) < 2:
        return Calibration("identity")  # nothing to learn from one class
    if method == "auto":
        method = "isotonic" if len(raw) >= ISOTONIC_MIN_EXAMPLES else "platt"
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(raw, label, sample_weight=weight)
        return Calibration(
            "isotonic",
            tuple(float(v) for v in iso.X_thresholds_),
            tuple(float(v) for v in iso.y_thresholds_),
        )
    if method != "platt":
        raise ValueError(f"calibration method {method!r}: use auto, isotonic or platt")
    platt = LogisticRegression(C=1e6)
    platt.fit(_logit(raw).reshape(-1, 1), label, sample_weight=weight)
    return Calibration("platt", a=float(platt.coef_[0][0]), b=float(platt.intercept_[0]))
