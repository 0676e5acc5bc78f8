"""A party's evidence for the programme's criteria, read from the store.

A party is a role and a key, as ``trusted_parties`` names it: a filer code for
``filer``, else a normalised party name. Its shipments are the current versions
it filed (filer) or appears on in that role.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, String, func, literal, select

from ecomrisk.programme.criteria import Evidence
from ecomrisk.store.schema import (
    filers,
    filing_quality,
    network_scores,
    outcomes,
    parties,
    screening_hits,
    shipments,
)


def _shipment_ids(role: str, key: str) -> Select[Any]:
    if role == "filer":
        return (
            select(shipments.c.id)
            .join(filers, filers.c.id == shipments.c.filer_id)
            .where(filers.c.code == key, shipments.c.is_current)
        )
    return (
        select(shipments.c.id)
        .join(parties, parties.c.shipment_id == shipments.c.id)
        .where(parties.c.role == role, parties.c.name_norm == key, shipments.c.is_current)
        .distinct()
    )


def gather(connection: Connection, role: str, key: str, now: datetime | None = None) -> Evidence:
    now = now or datetime.now(UTC)
    ids = _shipment_ids(role, key).subquery()
    count, first = connection.execute(
        select(func.count(), func.min(shipments.c.received_at)).where(
            shipments.c.id.in_(select(ids.c.id))
        )
    ).one()
    first_at = first if first is None or first.tzinfo else first.replace(tzinfo=UTC)
    exams = select(outcomes).where(outcomes.c.shipment_id.in_(select(ids.c.id))).subquery()
    violation = exams.c.result == "violation"
    random_n, random_v = connection.execute(
        select(func.count(), func.count().filter(violation)).where(exams.c.selection == "random")
    ).one()
    year_ago = now - timedelta(days=365)
    violations, seizures = connection.execute(
        select(
            func.count().filter(violation), func.count().filter(exams.c.action == "seize")
        ).where(exams.c.examined_at >= year_ago)
    ).one()
    quality, scored = connection.execute(
        select(func.avg(filing_quality.c.score), func.count()).where(
            filing_quality.c.shipment_id.in_(select(ids.c.id))
        )
    ).one()
    screening_score: float | None = None
    screening_match: str | None = None
    network_risk: float | None = None
    network_node: str | None = None
    if role != "filer":
        of_party = (parties.c.role == role) & (parties.c.name_norm == key)
        hit = connection.execute(
            select(screening_hits.c.score, screening_hits.c.matched_name)
            .join(parties, parties.c.id == screening_hits.c.party_id)
            .where(of_party)
            .order_by(screening_hits.c.score.desc())
            .limit(1)
        ).first()
        screening_score, screening_match = (hit.score, hit.matched_name) if hit else (0.0, None)
        nodes = select(literal("entity:", String) + parties.c.entity_id).where(
            of_party, parties.c.entity_id.is_not(None)
        )
        top = connection.execute(
            select(network_scores.c.node, network_scores.c.risk)
            .where(network_scores.c.node.in_(nodes))
            .order_by(network_scores.c.risk.desc())
            .limit(1)
        ).first()
        network_risk, network_node = (top.risk, top.node) if top else (0.0, None)
    return Evidence(
        first_filed=first_at.date().isoformat() if first_at else None,
        days_of_history=(now - first_at).days if first_at else 0,
        shipments=int(count),
        random_exams=int(random_n),
        random_violations=int(random_v),
        violations_365d=int(violations),
        seizures_365d=int(seizures),
        quality_score=float(quality) if quality is not None else None,
        quality_filings=int(scored),
        screening_score=screening_score,
        screening_match=screening_match,
        network_risk=network_risk,
        network_node=network_node,
    )
