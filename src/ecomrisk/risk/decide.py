"""Decide a stored shipment version: features, rules, decision, stored with all it used.

Runs in the caller's transaction, right after ingestion wrote the version, so a
filing and its decision commit together; shadow rule sets are evaluated beside
the live one and stored as ``kind = 'shadow'`` without acting on anything.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from ecomrisk.domain.records import Decision, ShipmentFiling
from ecomrisk.features import filing_cache
from ecomrisk.features.derived import derived_features
from ecomrisk.features.events import record_written_events
from ecomrisk.features.matrix import FeatureContext
from ecomrisk.features.online import history_features
from ecomrisk.features.shipment import SHIPMENT_FEATURES, shipment_features
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.decision import decide
from ecomrisk.risk.intelligence import intelligence_features
from ecomrisk.risk.model.assessment import ModelAssessment
from ecomrisk.risk.model.live import ModelCache
from ecomrisk.risk.network.online import NetworkContext, network_features
from ecomrisk.risk.rules import RuleSet
from ecomrisk.risk.screen_filing import screen_version
from ecomrisk.risk.screening.matcher import DEFAULT_ALGORITHM
from ecomrisk.risk.screening.repo import LoadedList, load_current_lists
from ecomrisk.store import decision_notes
from ecomrisk.store.schema import decisions, rulesets
from ecomrisk.store.shipments_repo import Written

# How long a process trusts what it read about rule sets and watch lists before it
# looks again: a promotion or a list import takes effect within this delay.
REFRESH_SECONDS = 1.0


@dataclass
class DecisionContext:
    """What deciding needs besides the filing; rule sets and lists re-read at most
    every REFRESH_SECONDS, and re-parsed only when they changed."""

    features: FeatureContext
    refresh_seconds: float = REFRESH_SECONDS
    _key: tuple[tuple[int, str], ...] | None = None
    _live: RuleSet | None = None
    _shadows: list[RuleSet] = field(default_factory=list)
    _rules_checked: float = -1e9
    _lists: list[LoadedList] = field(default_factory=list)
    _lists_checked: float = -1e9
    models: ModelCache = field(default_factory=ModelCache)
    network: NetworkContext = field(default_factory=NetworkContext)

    def __post_init__(self) -> None:
        # A promoted model or a new network build takes effect within the same delay as
        # a rule set (the network's context had kept its own 1 s).
        self.models.refresh_seconds = self.refresh_seconds
        self.network.refresh_seconds = self.refresh_seconds

    def lists(self, connection: Connection) -> list[LoadedList]:
        if time.monotonic() - self._lists_checked >= self.refresh_seconds:
            self._lists = load_current_lists(connection)
            self._lists_checked = time.monotonic()
        return self._lists

    def rulesets(self, connection: Connection) -> tuple[RuleSet, list[RuleSet]]:
        if self._live is not None and time.monotonic() - self._rules_checked < self.refresh_seconds:
            return self._live, self._shadows
        self._rules_checked = time.monotonic()
        key = tuple(
            (row.id, row.status)
            for row in connection.execute(
                select(rulesets.c.id, rulesets.c.status)
                .where(rulesets.c.status.in_(["live", "shadow"]))
                .order_by(rulesets.c.id)
            )
        )
        if key != self._key or self._live is None:
            self._live = rulesets_repo.ensure_live(connection)
            self._shadows = rulesets_repo.with_status(connection, "shadow")
            self._key = key
        return self._live, self._shadows

    @property
    def versions(self) -> dict[str, str]:
        return {"fx": self.features.rates.as_of.isoformat()}


def features_of(
    connection: Connection, version: Written, context: FeatureContext
) -> dict[str, Any]:
    """Every feature of stored ``version``, as of its arrival."""
    # Parsed from its stored JSON (not the object ingestion validated), as batch runs do.
    filing = ShipmentFiling.model_validate(version.shipment["filing"])
    values: dict[str, Any] = shipment_features(
        filing, version.shipment["received_at"], context.profile, context.rates, context.unit_values
    )
    values.update(history_features(connection, version.sid, context.day_offset_s))
    values.update(derived_features(values, context.profile))
    return values


def with_model_outputs(
    values: dict[str, Any], assessment: ModelAssessment | None
) -> dict[str, Any]:
    """The features to store with a decision, with the model's calibrated probability
    and its revenue at risk if there is a violation beside them: targeting values an
    exam at p x (revenue + priority weight). Not features of the model: they are not
    in the feature registry, so no model trains on them."""
    if assessment is None:
        return values
    return {**values, **model_outputs(assessment)}


def model_outputs(assessment: ModelAssessment) -> dict[str, float]:
    """What ``with_model_outputs`` adds (batch runs add it to the row in place)."""
    p = assessment.probability
    return {
        "model_probability": p,
        "model_revenue_at_risk": assessment.expected_revenue / p if p > 0 else 0.0,
    }


# Built once: every decision is stored with it (see features/events.py on why).
_INSERT_DECISION = decisions.insert().returning(decisions.c.id)


def _store(
    connection: Connection, sid: int, decision: Decision, features: dict[str, Any], kind: str
) -> int:
    result = connection.execute(
        _INSERT_DECISION,
        {
            "shipment_id": sid,
            "decided_at": decision.decided_at,
            "score": decision.score,
            "lane": decision.lane.value,
            "reasons": [r.model_dump() for r in decision.reasons],
            "versions": decision.versions,
            "features": features,
            "kind": kind,
            "ruleset": decision.versions.get("ruleset"),
        },
    )
    decision_notes.note_decision(connection, decision.lane.value, kind)
    return int(result.scalar_one())


def decide_version(connection: Connection, version: Written, context: DecisionContext) -> Decision:
    """Decide stored ``version``, whose feature event is recorded already."""
    sid = version.sid
    live, shadows = context.rulesets(connection)
    values = features_of(connection, version, context.features)
    # Kept for batch runs, which then need not parse the filing again.
    filing_cache.store(
        connection,
        sid,
        context.features.basis,
        {name: values[name] for name in SHIPMENT_FEATURES},
    )
    screening, evidence, lists = screen_version(
        connection, sid, version.parties, context.lists(connection)
    )
    values.update(screening)
    versions = {**context.versions, "lists": lists, "screening": DEFAULT_ALGORITHM}
    # Counter-network: parties linked to entities, the risk of what they are linked to.
    network, network_evidence, versions["network"] = network_features(
        connection, sid, context.network
    )
    values.update(network)
    intelligence, intelligence_evidence = intelligence_features(connection, sid)
    values.update(intelligence)
    evidence = [*evidence, *network_evidence, *intelligence_evidence]
    now = datetime.now(UTC)
    profile = context.features.profile
    # The model seam: the live model joins the live decision; a shadow rule set is
    # judged with the live model, a shadow model beside the live rule set.
    live_model, shadow_models = context.models.current(connection)
    assessment = live_model.assess(values) if live_model is not None else None
    decision = decide(values, live, profile, now, versions, evidence, assessment)
    stored_values = with_model_outputs(values, assessment)
    _store(connection, sid, decision, stored_values, "live")
    for shadow in shadows:
        would_be = decide(values, shadow, profile, now, versions, evidence, assessment)
        _store(connection, sid, would_be, stored_values, "shadow")
    for candidate in shadow_models:
        judged = candidate.assess(values)
        would_be = decide(values, live, profile, now, versions, evidence, judged)
        _store(connection, sid, would_be, with_model_outputs(values, judged), "shadow")
    return decision


@dataclass
class Decider:
    """Decides shipment versions as ingestion writes them (``shipments_repo.OnWritten``)."""

    context: DecisionContext

    def written(self, connection: Connection, written: list[Written]) -> None:
        features = self.context.features
        for version in written:  # each event before its decision, as in time order
            record_written_events(connection, [version], features.rates, features.profile.currency)
            if version.shipment["status"] == "active":  # a cancellation needs only its event
                decide_version(connection, version, self.context)
