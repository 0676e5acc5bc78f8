"""The training set: every inspected shipment version, its features as of its
filing, what its exams found, and how it came to be inspected.

Features are the ones stored with the version's first live decision, made in
the transaction that stored the filing: exactly what was known then (history
counted only from events received or recorded before it, the watch lists of
that moment) and exactly what the model will see online. A version without a
stored decision (a history import) takes its features from the batch feature
matrix, which is point in time by construction for history features.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, case, func, select

from ecomrisk.domain.enums import SelectionKind
from ecomrisk.features.matrix import FeatureContext, feature_matrix
from ecomrisk.store.schema import decisions, outcomes, shipments


@dataclass(frozen=True)
class Example:
    sid: int
    received_at: datetime
    examined_at: datetime  # the latest exam: when the label became known
    features: dict[str, Any]
    violation: bool
    revenue: float  # revenue recovered, in the profile's currency
    selection: str  # random when any exam was in the random sample
    inclusion_probability: float | None


def selection_weight(selection: str, inclusion_probability: float | None) -> float:
    """How many shipments of the flow one outcome stands for.

    A random-sample (or exploration) outcome with a known inclusion probability p
    stands for 1/p shipments: weighted so, the sample is the whole flow. A
    targeted outcome stands only for itself (weight 1): targeting chose it on
    its features, so P(violation | features) is still right where it looked,
    but targeted outcomes must not say how common violations are elsewhere.
    """
    if selection in (SelectionKind.RANDOM, SelectionKind.EXPLORATION) and inclusion_probability:
        return 1.0 / inclusion_probability
    return 1.0


def _labels(engine: Engine, since: datetime | None, until: datetime | None) -> list[Any]:
    query = (
        select(
            outcomes.c.shipment_id.label("sid"),
            func.max(shipments.c.received_at).label("received_at"),
            func.max(outcomes.c.examined_at).label("examined_at"),
            func.max(case((outcomes.c.result == "violation", 1), else_=0)).label("violation"),
            outcomes.c.currency,
            func.sum(outcomes.c.revenue_recovered).label("revenue"),
            func.max(case((outcomes.c.selection == "random", 1), else_=0)).label("random"),
            func.min(outcomes.c.inclusion_probability).label("probability"),
            func.max(outcomes.c.selection).label("selection"),
        )
        .join(shipments, shipments.c.id == outcomes.c.shipment_id)
        .group_by(outcomes.c.shipment_id, outcomes.c.currency)
        .order_by(outcomes.c.shipment_id)
    )
    if since is not None:
        query = query.where(shipments.c.received_at >= since)
    if until is not None:
        query = query.where(shipments.c.received_at < until)
    with engine.connect() as connection:
        return list(connection.execute(query).all())


def _filing_time_features(engine: Engine, sids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Features of each version's first live decision (the one made at filing)."""
    first = (
        select(func.min(decisions.c.id).label("id"))
        .where(decisions.c.kind == "live", decisions.c.shipment_id.in_(sids))
        .group_by(decisions.c.shipment_id)
        .subquery()
    )
    with engine.connect() as connection:
        rows = connection.execute(
            select(decisions.c.shipment_id, decisions.c.features).join(
                first, first.c.id == decisions.c.id
            )
        ).all()
    return {int(r.shipment_id): dict(r.features) for r in rows if r.features}


def training_examples(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Example]:
    """Inspected shipment versions filed in [since, until), oldest exam first."""
    labels = _labels(engine, since, until)
    by_sid: dict[int, dict[str, Any]] = {}
    for row in labels:
        merged = by_sid.setdefault(
            int(row.sid),
            {
                "received_at": row.received_at,
                "examined_at": row.examined_at,
                "violation": False,
                "revenue": 0.0,
                "random": False,
                "probability": None,
                "selection": row.selection,
            },
        )
        merged["violation"] |= bool(row.violation)
        merged["random"] |= bool(row.random)
        merged["probability"] = row.probability or merged["probability"]
        merged["examined_at"] = max(merged["examined_at"], row.examined_at)
        if row.revenue is not None and row.currency and context.rates.has(row.currency):
            merged["revenue"] += float(
                context.rates.convert(Decimal(row.revenue), row.currency, context.profile.currency)
            )
    features = _filing_time_features(engine, list(by_sid))
    missing = [sid for sid in by_sid if sid not in features]
    if missing:
        wanted = set(missing)
        for row in feature_matrix(engine, context).to_pylist():
            if row["sid"] in wanted:
                sid = row.pop("sid")
                row.pop("received_at")
                features[sid] = row
    examples = [
        Example(
            sid=sid,
            received_at=label["received_at"],
            examined_at=label["examined_at"],
            features=features[sid],
            violation=label["violation"],
            revenue=label["revenue"],
            selection=SelectionKind.RANDOM.value if label["random"] else str(label["selection"]),
            inclusion_probability=label["probability"],
        )
        for sid, label in by_sid.items()
        if sid in features
    ]
    return sorted(examples, key=lambda e: (e.examined_at, e.sid))
