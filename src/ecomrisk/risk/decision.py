"""Combine what the risk components found into one decision. Pure."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ecomrisk.domain.enums import Lane
from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import Decision, Reason
from ecomrisk.risk.intelligence import INTELLIGENCE_VERSION, lift
from ecomrisk.risk.model.assessment import ModelAssessment, combine
from ecomrisk.risk.rules import RuleSet, evaluate
from ecomrisk.risk.rules.evaluate import RuleHit, combined_probability, strictest_lane

# Bumped whenever the way features are computed or combined changes, so a stored
# decision says which code made it.
DECISION_LOGIC_VERSION = "decision-v1"


def lane_in_profile(lane: Lane, profile: JurisdictionProfile) -> Lane:
    """The profile's lane for ``lane``: itself, or the next stricter one it has."""
    available = [option for option in profile.lanes if option.rank >= lane.rank]
    return available[0] if available else profile.lanes[-1]


def decide(
    features: Mapping[str, Any],
    ruleset: RuleSet,
    profile: JurisdictionProfile,
    decided_at: datetime,
    versions: Mapping[str, str],
    evidence: Sequence[Reason] = (),
    model: ModelAssessment | None = None,
    hits: Sequence[RuleHit] | None = None,
) -> Decision:
    """Score, lane and reasons from the rules over the features. ``evidence`` are the
    reasons of the inputs themselves (screening hits today; model contributions and
    network links as their issues land): they explain, the rules decide. ``model``:
    the live model's assessment, joined as ``model.assessment.combine`` says. ``hits``:
    the rule hits when already found (batch rescoring finds them in SQL), in rule order."""
    hits = evaluate(ruleset, features, decided_at.date()) if hits is None else list(hits)
    reasons = [
        Reason(kind="rule", code=hit.rule.id, text=hit.text, weight=hit.rule.weight)
        for hit in sorted(hits, key=lambda h: -h.rule.weight)
    ]
    score, lane = combined_probability(hits), strictest_lane(hits)
    if model is not None:
        score, lane, model_reasons = combine(score, lane, model)
        reasons += model_reasons
        versions = {**versions, "model": model.label}
    # Public reports an analyst linked to a party: intelligence raises what rules and
    # model found (its reasons come in ``evidence``).
    reports = float(features.get("intelligence_reports") or 0.0)
    if reports > 0:
        score, lane = lift(score, lane, reports)
        versions = {**versions, "intelligence": INTELLIGENCE_VERSION}
    reasons += evidence
    return Decision(
        score=score,
        lane=lane_in_profile(lane, profile),
        reasons=reasons,
        versions={
            **versions,
            "ruleset": ruleset.label,
            "logic": DECISION_LOGIC_VERSION,
            "profile": profile.id,
        },
        decided_at=decided_at,
    )
