"""What the model says about one shipment, and how that joins the rules' decision. Pure.

The rules stay in charge of lanes. The model adds three things:

- the score is the larger of the rules' score and the model's calibrated
  probability (not a noisy-or: both read the same features, so their evidence
  is not independent and must not be counted twice);
- a release is raised to document review, or to a scan, when the model's
  probability reaches that lane's threshold (stored with the model version, so
  a decision reproduces with the thresholds it was made with); the model never
  lowers a lane and never asks for more than a scan;
- its reasons: the probability, then the top feature contributions in words.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from ecomrisk.domain.enums import Lane
from ecomrisk.domain.records import Reason

# The lanes a model may raise a release to, and the probability each needs.
DEFAULT_LANE_THRESHOLDS: dict[str, float] = {"document_review": 0.5, "scan": 0.8}


@dataclass(frozen=True)
class ModelAssessment:
    label: str  # name@version of the model
    probability: float  # calibrated probability of a violation
    expected_revenue: float  # probability x revenue given a violation, profile currency
    reasons: list[Reason] = field(default_factory=list)
    thresholds: Mapping[str, float] = field(default_factory=lambda: DEFAULT_LANE_THRESHOLDS)

    @property
    def lane(self) -> Lane | None:
        """The strictest lane whose threshold the probability reaches, if any."""
        reached = [Lane(name) for name, at in self.thresholds.items() if self.probability >= at]
        return max(reached, key=lambda lane: lane.rank, default=None)


def combine(
    score: float, lane: Lane, assessment: ModelAssessment
) -> tuple[float, Lane, list[Reason]]:
    """The rules' score and lane joined with the model's: (score, lane, reasons to add)."""
    reasons = list(assessment.reasons)
    wanted = assessment.lane
    if wanted is not None and wanted.rank > lane.rank:
        at = assessment.thresholds[wanted.value]
        reasons.insert(
            1,
            Reason(
                kind="model",
                code="model:lane",
                text=f"model probability {assessment.probability:.2f} reaches {at:.2f}: "
                f"{lane.value.replace('_', ' ')} raised to {wanted.value.replace('_', ' ')}",
                weight=round(assessment.probability, 4),
            ),
        )
        lane = wanted
    return max(score, assessment.probability), lane, reasons
