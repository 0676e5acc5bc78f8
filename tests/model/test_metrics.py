"""Ranking metrics against cases worked out by hand."""

import numpy as np
import pytest

from ecomrisk.risk.model import metrics

# Ten rows, scored 10..1 from first to last; violations at ranks 1, 2, 4 and 7.
Y = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
SCORE = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
REVENUE = [5.0, 0.0, 0.0, 3.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("share", "n", "k"),
    [
        (0.01, 100, 1),
        (0.05, 8134, 407),
        (0.10, 8134, 813),
        (0.25, 10, 3),
        (0.15, 10, 2),
        (0.01, 10, 1),
    ],
)
def test_inspected_count_rounds_half_up_and_is_at_least_one(share: float, n: int, k: int) -> None:
    assert metrics.inspected_count(share, n) == k


@pytest.mark.parametrize(
    ("share", "precision", "recall"),
    [(0.1, 1.0, 0.25), (0.2, 1.0, 0.5), (0.3, 2 / 3, 0.5), (0.4, 0.75, 0.75), (1.0, 0.4, 1.0)],
)
def test_precision_and_recall_by_hand(share: float, precision: float, recall: float) -> None:
    assert metrics.precision_at(Y, SCORE, share) == pytest.approx(precision)
    assert metrics.recall_at(Y, SCORE, share) == pytest.approx(recall)


def test_revenue_share_by_hand() -> None:
    assert metrics.revenue_at(REVENUE, SCORE, 0.1) == pytest.approx(0.5)
    assert metrics.revenue_at(REVENUE, SCORE, 0.4) == pytest.approx(0.8)
    assert metrics.revenue_at(REVENUE, SCORE, 0.7) == pytest.approx(1.0)


def test_ties_keep_row_order() -> None:
    # All scores equal: the first k rows are inspected.
    assert metrics.precision_at([1, 0, 0, 0], [1, 1, 1, 1], 0.25) == 1.0
    assert metrics.precision_at([0, 1, 0, 0], [1, 1, 1, 1], 0.25) == 0.0


def test_auc_by_hand() -> None:
    # Pairs (violation, clean): 4 x 6 = 24; violations outrank clean rows in 6+6+5+3 = 20.
    assert metrics.auc(Y, SCORE) == pytest.approx(20 / 24)
    assert metrics.auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)


def test_brier_by_hand() -> None:
    assert metrics.brier([1, 0, 1, 0], [0.9, 0.1, 0.6, 0.5]) == pytest.approx(
        (0.01 + 0.01 + 0.16 + 0.25) / 4
    )


def test_at_inspected_keys_by_percent() -> None:
    result = metrics.at_inspected(Y, SCORE, shares=(0.1, 0.4), revenue=REVENUE)
    assert result == {
        "precision": {"10%": 1.0, "40%": 0.75},
        "recall": {"10%": 0.25, "40%": 0.75},
        "revenue": {"10%": 0.5, "40%": 0.8},
    }
    assert set(metrics.at_inspected(Y, SCORE)["precision"]) == {"1%", "2%", "5%", "10%"}


def test_random_scores_give_the_base_rate() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(20_000) < 0.2
    precision = metrics.precision_at(y, rng.random(20_000), 0.1)
    assert abs(precision - y.mean()) < 0.03


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.precision_at([0, 2], [1, 2], 0.5), "y: labels must be 0 or 1"),
        (lambda: metrics.precision_at([0, 1], [1, 2, 3], 0.5), "score: 3 values for 2 labels"),
        (lambda: metrics.precision_at([0, 1], [1, float("nan")], 0.5), "score: contains missing"),
        (lambda: metrics.precision_at([0, 1], [1, 2], 0.0), "share: must be in"),
        (lambda: metrics.auc([1, 1], [1, 2]), "y: AUC needs both classes"),
        (lambda: metrics.brier([1, 0], [1.5, 0]), "probability: values must be in"),
        (lambda: metrics.revenue_at([-1, 2], [1, 2], 0.5), "revenue: amounts must be >= 0"),
        (lambda: metrics.precision_at([], [], 0.5), "y: no rows"),
    ],
)
def test_bad_input_names_the_field(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()
