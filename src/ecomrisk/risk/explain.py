"""Reproduce a stored decision from what was stored with it."""

from dataclasses import dataclass

from sqlalchemy import Connection, select

from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Decision, Reason
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.decision import decide
from ecomrisk.risk.model.live import load_model
from ecomrisk.store.schema import decisions


@dataclass(frozen=True)
class Explanation:
    decision_id: int
    shipment_id: int
    kind: str
    stored: Decision
    recomputed: Decision
    features: dict[str, object]

    @property
    def reproduced(self) -> bool:
        return self.stored == self.recomputed


def explain(connection: Connection, decision_id: int) -> Explanation:
    row = connection.execute(select(decisions).where(decisions.c.id == decision_id)).one_or_none()
    if row is None:
        raise LookupError(f"no decision {decision_id}")
    stored = Decision(
        score=row.score,
        lane=row.lane,
        reasons=[Reason.model_validate(r) for r in row.reasons],
        versions=row.versions,
        decided_at=row.decided_at,
    )
    ruleset = rulesets_repo.load(connection, row.versions["ruleset"])
    profile = load_profile(row.versions["profile"])
    made_by = ("ruleset", "logic", "profile", "model")
    extra = {k: v for k, v in row.versions.items() if k not in made_by}
    # Evidence (screening hits) is a recorded input; the rules and the model (its
    # artifact reloaded by the stored version) are what is re-run.
    evidence = [r for r in stored.reasons if r.kind not in ("rule", "model")]
    features = row.features or {}
    label = row.versions.get("model")
    model = load_model(connection, label).assess(features) if label else None
    recomputed = decide(features, ruleset, profile, row.decided_at, extra, evidence, model)
    return Explanation(row.id, row.shipment_id, row.kind, stored, recomputed, features)
