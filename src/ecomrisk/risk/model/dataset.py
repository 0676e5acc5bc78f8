"""The training set: every inspected shipment version, its features as of its
filing, what its exams found, and how it came to be inspected.

Features are the ones stored with the version's first live decision, made in
the transaction that stored the filing: exactly what was known then (history
counted only from events received or recorded before it, the watch lists of
that moment) and exactly what the model will see online. A version without a
stored decision (a history import) takes its features from the batch feature
matrix, which is point in time by construction for history features.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, case, func, select

from ecomrisk.domain.enums import SelectionKind
from ecomrisk.engines.batch import BatchEngine, Relation
from ecomrisk.engines.export import store_relation
from ecomrisk.features.matrix import FeatureContext, feature_matrix, feature_rows
from ecomrisk.risk.model.dataset_sql import filing_features_sql, labels_sql
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


def _merged(
    labels: Iterable[Mapping[str, Any]], context: FeatureContext
) -> dict[int, dict[str, Any]]:
    """One label per shipment version from its rows per currency: violation if any
    exam found one, random if any exam was sampled, revenue in the profile's currency."""
    by_sid: dict[int, dict[str, Any]] = {}
    for row in labels:
        merged = by_sid.setdefault(
            int(row["sid"]),
            {
                "received_at": row["received_at"],
                "examined_at": row["examined_at"],
                "violation": False,
                "revenue": 0.0,
                "random": False,
                "probability": None,
                "selection": row["selection"],
            },
        )
        merged["violation"] |= bool(row["violation"])
        merged["random"] |= bool(row["random"])
        merged["probability"] = row["probability"] or merged["probability"]
        merged["examined_at"] = max(merged["examined_at"], row["examined_at"])
        currency, revenue = row["currency"], row["revenue"]
        if revenue is not None and currency and context.rates.has(currency):
            merged["revenue"] += float(
                context.rates.convert(Decimal(revenue), currency, context.profile.currency)
            )
    return by_sid


def _examples(
    by_sid: Mapping[int, Mapping[str, Any]], features: Mapping[int, dict[str, Any]]
) -> list[Example]:
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


def _matrix_features(rows: Iterable[dict[str, Any]], wanted: set[int]) -> dict[int, dict[str, Any]]:
    found = {}
    for row in rows:
        if row["sid"] in wanted:
            sid = row.pop("sid")
            row.pop("received_at")
            found[sid] = row
    return found


def training_examples(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Example]:
    """Inspected shipment versions filed in [since, until), oldest exam first."""
    by_sid = _merged((row._mapping for row in _labels(engine, since, until)), context)
    features = _filing_time_features(engine, list(by_sid))
    missing = {sid for sid in by_sid if sid not in features}
    if missing:
        features.update(_matrix_features(feature_matrix(engine, context).to_pylist(), missing))
    return _examples(by_sid, features)


def _utc(moment: datetime) -> datetime:
    # DuckDB hands timestamps back in the zone of its session; the store's are UTC.
    return moment.astimezone(UTC)


def training_examples_on(
    batch: BatchEngine,
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
    export: Path | None = None,
) -> list[Example]:
    """``training_examples``, its joins and aggregations run on ``batch`` (DuckDB or
    Spark) over the store's tables or over a Parquet export (``export``)."""
    if export is not None:
        relations: dict[str, Relation] = {
            name: export / name for name in ("shipments", "outcomes", "decisions")
        }
    else:
        inspected = decisions.c.shipment_id.in_(select(outcomes.c.shipment_id))
        relations = {
            "shipments": store_relation(engine, shipments, columns=("id", "received_at")),
            "outcomes": store_relation(engine, outcomes),
            "decisions": store_relation(
                engine,
                decisions,
                and_(decisions.c.kind == "live", inspected),
                ("id", "shipment_id", "kind", "features"),
            ),
        }
    labels = batch.query(labels_sql(batch.dialect, since, until), relations).to_pylist()
    for row in labels:
        row["received_at"], row["examined_at"] = _utc(row["received_at"]), _utc(row["examined_at"])
    by_sid = _merged(labels, context)
    stored = batch.query(filing_features_sql(), relations)
    features = {
        int(sid): json.loads(text)
        for sid, text in zip(
            stored.column("sid").to_pylist(), stored.column("features").to_pylist(), strict=True
        )
        if sid in by_sid and text is not None and json.loads(text)
    }
    missing = {sid for sid in by_sid if sid not in features}
    if missing:
        rows = feature_rows(engine, context, batch=batch, export=export)
        features.update(_matrix_features(rows, missing))
    return _examples(by_sid, features)
