"""How good a model is, on which population. Pure: a model and examples in, JSON out.

Two populations, always named in the report:

- ``random_sample``: outcomes of the random compliance sample. It stands for
  the whole flow, so its figures are unbiased estimates of what the model
  would do on all shipments (each random outcome has the same inclusion
  probability here, so plain figures equal the weighted ones).
- ``inspected``: every inspected shipment, targeted ones included. Larger, but
  biased towards what past targeting chose; read it as "among the inspected".

Precision and recall at n % rank by the calibrated probability, revenue at n %
by the expected revenue at risk (probability x revenue given a violation).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.dataset import Example
from ecomrisk.risk.model.metrics import DEFAULT_SHARES, at_inspected, auc, brier, revenue_at

CALIBRATION_BINS = 10
MIN_GROUP = 20  # smaller groups (a mode, a facility) are not reported: too noisy

POPULATIONS: dict[str, tuple[str, Callable[[Example], bool]]] = {
    "random_sample": (
        "random compliance sample: unbiased for the whole flow",
        lambda e: e.selection == "random",
    ),
    "inspected": (
        "every inspected shipment (targeted included): biased towards past targeting",
        lambda e: True,
    ),
}


def calibration_curve(y: np.ndarray, p: np.ndarray) -> list[dict[str, float]]:
    """Per bin of predicted probability: mean prediction, observed rate, count. Bins
    hold equal counts (deciles of the prediction): most shipments score near 0, and
    equal-width bins would put nearly all of them in one."""
    edges = np.unique(np.quantile(p, np.linspace(0, 1, CALIBRATION_BINS + 1)))
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    out = []
    for b in np.unique(index):
        mine = index == b
        out.append(
            {
                "predicted": float(p[mine].mean()),
                "observed": float(y[mine].mean()),
                "count": int(mine.sum()),
            }
        )
    return out


@dataclass(frozen=True)
class _Scored:
    """Every example scored once; populations and groups are masks over it."""

    y: np.ndarray
    p: np.ndarray
    revenue: np.ndarray
    expected: np.ndarray

    @classmethod
    def of(cls, model: TrainedModel, examples: Sequence[Example]) -> "_Scored":
        rows = [e.features for e in examples]
        p = model.probability(rows)
        return cls(
            np.array([1.0 if e.violation else 0.0 for e in examples]),
            p,
            np.array([max(e.revenue, 0.0) for e in examples]),
            p * model.revenue_given_violation(rows),
        )


def _figures(scored: _Scored, mask: np.ndarray, full: bool) -> dict[str, Any]:
    y, p = scored.y[mask], scored.p[mask]
    out: dict[str, Any] = {
        "examples": int(mask.sum()),
        "violations": int(y.sum()),
        "violation_rate": float(y.mean()),
        "mean_probability": float(p.mean()),
        "auc": auc(y, p) if 0 < y.sum() < len(y) else None,
        "brier": brier(y, p),
    }
    ranked = at_inspected(y, p)
    revenue, expected = scored.revenue[mask], scored.expected[mask]
    ranked["revenue"] = {f"{s * 100:g}%": revenue_at(revenue, expected, s) for s in DEFAULT_SHARES}
    out.update(ranked)
    if full:
        out["calibration_curve"] = calibration_curve(y, p)
    return out


def _groups(
    scored: _Scored, examples: Sequence[Example], mask: np.ndarray, feature: str
) -> dict[str, dict[str, Any]]:
    keys = np.array([str(e.features.get(feature)) for e in examples])
    out = {}
    for key in sorted(set(keys[mask])):
        mine = mask & (keys == key)
        if mine.sum() >= MIN_GROUP:
            out[str(key)] = _figures(scored, mine, full=False)
    return out


def evaluate_examples(model: TrainedModel, examples: Sequence[Example]) -> dict[str, Any]:
    """Figures per population, and per mode and facility (port of arrival) within each."""
    report: dict[str, Any] = {"populations": {}, "by_mode": {}, "by_facility": {}}
    scored = _Scored.of(model, examples) if examples else None
    for name, (description, keep) in POPULATIONS.items():
        mask = np.array([keep(e) for e in examples], dtype=bool)
        if scored is None or not mask.any():
            report["populations"][name] = {"description": description, "examples": 0}
            continue
        report["populations"][name] = {"description": description, **_figures(scored, mask, True)}
        report["by_mode"][name] = _groups(scored, examples, mask, "mode")
        report["by_facility"][name] = _groups(scored, examples, mask, "port_of_arrival")
    return report
