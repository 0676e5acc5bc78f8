"""How good a ranking is under a fixed inspection budget.

A customs office inspects the top n % of declarations by score, so the figures
that matter are taken at that cut: k = round(n % x N) rows are "inspected"
(half rounds up, at least one row). Precision@n is the share of the inspected
that were violations, Recall@n the share of all violations that were inspected,
Revenue@n the share of the revenue (raised duty, or a proxy for it) that was
inspected. Ties in the score are broken by row order, so a figure is
deterministic for a given input.

AUC and the Brier score say how good the whole ranking and the probabilities
are, beyond the cut.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

__all__ = [
    "DEFAULT_SHARES",
    "at_inspected",
    "auc",
    "brier",
    "inspected_count",
    "precision_at",
    "recall_at",
    "revenue_at",
    "top_k",
]

DEFAULT_SHARES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)
"""Shares of declarations inspected at which figures are reported (1, 2, 5, 10 %)."""

ArrayLike = npt.ArrayLike


def _vector(values: ArrayLike, name: str) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if np.isnan(array).any():
        raise ValueError(f"{name}: contains missing values (NaN)")
    return array


def _labels(y: ArrayLike) -> npt.NDArray[np.float64]:
    labels = _vector(y, "y")
    if not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError("y: labels must be 0 or 1")
    return labels


def _pair(y: ArrayLike, score: ArrayLike) -> tuple[npt.NDArray[np.float64], ...]:
    labels, scores = _labels(y), _vector(score, "score")
    if len(labels) != len(scores):
        raise ValueError(f"score: {len(scores)} values for {len(labels)} labels")
    if len(labels) == 0:
        raise ValueError("y: no rows")
    return labels, scores


def inspected_count(share: float, n: int) -> int:
    """k = round(share x n), half up, at least 1 (share in (0, 1])."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share: must be in (0, 1], got {share}")
    return max(1, int(np.floor(share * n + 0.5)))


def top_k(score: ArrayLike, k: int) -> npt.NDArray[np.intp]:
    """Indices of the k highest scores, highest first; ties keep row order."""
    scores = _vector(score, "score")
    return np.argsort(-scores, kind="stable")[:k]


def precision_at(y: ArrayLike, score: ArrayLike, share: float) -> float:
    """Share of violations among the top ``share`` of rows by score."""
    labels, scores = _pair(y, score)
    k = inspected_count(share, len(labels))
    return float(labels[top_k(scores, k)].sum() / k)


def recall_at(y: ArrayLike, score: ArrayLike, share: float) -> float:
    """Share of all violations found in the top ``share`` of rows (0 when there are none)."""
    labels, scores = _pair(y, score)
    total = labels.sum()
    if total == 0:
        return 0.0
    k = inspected_count(share, len(labels))
    return float(labels[top_k(scores, k)].sum() / total)


def revenue_at(revenue: ArrayLike, score: ArrayLike, share: float) -> float:
    """Share of the revenue (>= 0 per row) held by the top ``share`` of rows by score."""
    amounts, scores = _vector(revenue, "revenue"), _vector(score, "score")
    if len(amounts) != len(scores):
        raise ValueError(f"score: {len(scores)} values for {len(amounts)} revenue amounts")
    if len(amounts) == 0:
        raise ValueError("revenue: no rows")
    if (amounts < 0).any():
        raise ValueError("revenue: amounts must be >= 0")
    total = amounts.sum()
    if total == 0:
        return 0.0
    k = inspected_count(share, len(amounts))
    return float(amounts[top_k(scores, k)].sum() / total)


def auc(y: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve: chance that a violation outranks a clean row (ties 1/2)."""
    labels, scores = _pair(y, score)
    if labels.min() == labels.max():
        raise ValueError("y: AUC needs both classes")
    return float(roc_auc_score(labels, scores))


def brier(y: ArrayLike, probability: ArrayLike) -> float:
    """Mean squared error of predicted probabilities (0 is perfect, 0.25 is a coin)."""
    labels, probs = _pair(y, probability)
    if ((probs < 0) | (probs > 1)).any():
        raise ValueError("probability: values must be in [0, 1]")
    return float(np.mean((probs - labels) ** 2))


def at_inspected(
    y: ArrayLike,
    score: ArrayLike,
    shares: Sequence[float] = DEFAULT_SHARES,
    revenue: ArrayLike | None = None,
) -> dict[str, Any]:
    """Precision, recall (and revenue when given) at each share, keyed by percent.

    Returns ``{"precision": {"1%": ..}, "recall": {..}, "revenue": {..}}`` ("revenue"
    only when ``revenue`` is given), so it serialises straight to JSON.
    """
    result: dict[str, Any] = {"precision": {}, "recall": {}}
    if revenue is not None:
        result["revenue"] = {}
    for share in shares:
        key = f"{share * 100:g}%"
        result["precision"][key] = precision_at(y, score, share)
        result["recall"][key] = recall_at(y, score, share)
        if revenue is not None:
            result["revenue"][key] = revenue_at(revenue, score, share)
    return result
