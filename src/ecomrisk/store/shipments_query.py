"""What a filer may read back: its own filings, their versions, its scorecard.

Every query is filtered by filer id: another filer's reference is simply not
found. Every list is bounded (``MAX_PAGE``).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from ecomrisk.store.schema import filing_quality, shipments

MAX_PAGE = 500
REASON_SAMPLE_ROWS = 5_000  # recent filings read to count the commonest quality reasons


@dataclass(frozen=True)
class VersionInfo:
    version: int
    status: str
    content_hash: str
    received_at: datetime
    is_current: bool
    quality_score: float | None
    quality_reasons: list[dict[str, Any]]


@dataclass(frozen=True)
class ShipmentView:
    filer_reference: str
    mode: str
    house_bill: str
    estimated_arrival: datetime
    current: VersionInfo
    versions: list[VersionInfo]
    filing: dict[str, Any]


def shipment_view(connection: Connection, filer_id: int, reference: str) -> ShipmentView | None:
    rows = connection.execute(
        select(shipments, filing_quality.c.score, filing_quality.c.reasons)
        .outerjoin(filing_quality, filing_quality.c.shipment_id == shipments.c.id)
        .where(shipments.c.filer_id == filer_id, shipments.c.filer_reference == reference)
        .order_by(shipments.c.version)
    ).all()
    if not rows:
        return None
    versions = [
        VersionInfo(
            r.version,
            r.status,
            r.content_hash,
            r.received_at,
            bool(r.is_current),
            r.score,
            list(r.reasons or []),
        )
        for r in rows
    ]
    current_row = next(r for r in rows if r.is_current)
    current = next(v for v in versions if v.is_current)
    return ShipmentView(
        reference,
        current_row.mode,
        current_row.house_bill,
        current_row.estimated_arrival,
        current,
        versions,
        current_row.filing,
    )


@dataclass(frozen=True)
class ShipmentSummary:
    id: int
    filer_reference: str
    version: int
    status: str
    mode: str
    house_bill: str
    received_at: datetime


def list_current(
    connection: Connection, filer_id: int, *, limit: int, before_id: int | None
) -> list[ShipmentSummary]:
    """Current versions, newest first; ``before_id`` is the keyset cursor."""
    query = (
        select(
            shipments.c.id,
            shipments.c.filer_reference,
            shipments.c.version,
            shipments.c.status,
            shipments.c.mode,
            shipments.c.house_bill,
            shipments.c.received_at,
        )
        .where(shipments.c.filer_id == filer_id, shipments.c.is_current)
        .order_by(shipments.c.id.desc())
        .limit(min(limit, MAX_PAGE))
    )
    if before_id is not None:
        query = query.where(shipments.c.id < before_id)
    return [ShipmentSummary(**r._mapping) for r in connection.execute(query)]


@dataclass(frozen=True)
class ScorecardDay:
    day: str
    filings: int
    score: float
    completeness: float
    timeliness: float
    consistency: float
    on_time_share: float


@dataclass(frozen=True)
class Scorecard:
    days: list[ScorecardDay]
    common_reasons: list[tuple[str, int]]

    @property
    def filings(self) -> int:
        return sum(d.filings for d in self.days)

    @property
    def score(self) -> float | None:
        total = self.filings
        return sum(d.score * d.filings for d in self.days) / total if total else None


def scorecard(connection: Connection, filer_id: int, *, since: date) -> Scorecard:
    q = filing_quality.c
    rows = connection.execute(
        select(
            q.received_day,
            func.count().label("filings"),
            func.avg(q.score).label("score"),
            func.avg(q.completeness).label("completeness"),
            func.avg(q.timeliness).label("timeliness"),
            func.avg(q.consistency).label("consistency"),
            func.avg(case((q.on_time, 1.0), else_=0.0)).label("on_time_share"),
        )
        .where(q.filer_id == filer_id, q.received_day >= since.isoformat())
        .group_by(q.received_day)
        .order_by(q.received_day)
    ).all()
    days = [
        ScorecardDay(
            r.received_day,
            int(r.filings),
            round(float(r.score), 4),
            round(float(r.completeness), 4),
            round(float(r.timeliness), 4),
            round(float(r.consistency), 4),
            round(float(r.on_time_share), 4),
        )
        for r in rows
    ]
    recent = connection.execute(
        select(q.reasons)
        .where(q.filer_id == filer_id, q.received_day >= since.isoformat())
        .order_by(q.shipment_id.desc())
        .limit(REASON_SAMPLE_ROWS)
    ).scalars()
    counts: Counter[str] = Counter()
    for reasons in recent:
        counts.update({r["code"] for r in reasons or []})
    return Scorecard(days, counts.most_common(10))
