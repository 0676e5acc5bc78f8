"""What inspecting one shipment is worth: p(violation), revenue at risk and the
weight of the enforcement priorities it touches. Pure.

The probability is the model's calibrated ``model_probability`` when the decision
stored one as a feature (the model, issue 6), else the decision's score (the
rules' noisy-or). Revenue at risk is ``model_revenue_at_risk`` when stored, else
a stand-in: the duty, at ``duty_rate``, on the value the goods would have if
priced at the reference unit value where they are declared below it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecomrisk.domain.enums import ExamType, Lane

MODEL_PROBABILITY = "model_probability"
MODEL_REVENUE = "model_revenue_at_risk"
# Declared values under 5 % of the reference are taken as 5 %: a bound on the guess.
MIN_VALUE_RATIO = 0.05

# The lightest exam each lane asks for; release asks for none, so a document review
# is the least a shipment chosen by its value gets.
REQUIRED_EXAM = {
    Lane.RELEASE: ExamType.DOCUMENT_REVIEW,
    Lane.DOCUMENT_REVIEW: ExamType.DOCUMENT_REVIEW,
    Lane.SCAN: ExamType.SCAN,
    Lane.PHYSICAL: ExamType.PHYSICAL,
    Lane.HOLD: ExamType.PHYSICAL,
}


@dataclass(frozen=True)
class Valuation:
    probability: float
    revenue_at_risk: float
    priority_weight: float
    priorities: tuple[str, ...]
    source: str  # model | rules


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def estimated_revenue(features: Mapping[str, Any], duty_rate: float) -> float:
    declared = _number(features.get("declared_value")) or 0.0
    ratio = _number(features.get("value_to_reference_min"))
    implied = (
        declared / max(ratio, MIN_VALUE_RATIO) if ratio is not None and ratio < 1 else declared
    )
    return duty_rate * implied


def value_shipment(
    features: Mapping[str, Any],
    score: float,
    suspected: Iterable[str],
    weights: Mapping[str, float],
    duty_rate: float,
) -> Valuation:
    """The valuation of a decided shipment. ``suspected``: finding types its rule
    hits and screening hits point to; ``weights``: priority weight per finding type."""
    model_p = _number(features.get(MODEL_PROBABILITY))
    model_revenue = _number(features.get(MODEL_REVENUE))
    probability = min(1.0, max(0.0, model_p if model_p is not None else score))
    revenue = model_revenue if model_revenue is not None else estimated_revenue(features, duty_rate)
    priorities = tuple(sorted({s for s in suspected if weights.get(s, 0) > 0}))
    return Valuation(
        probability,
        max(0.0, revenue),
        max((weights[p] for p in priorities), default=0.0),
        priorities,
        "model" if model_p is not None else "rules",
    )
