"""Where the officer's queue comes from: today, current shipments whose live
decision sends them to a lane other than release and that nobody examined yet.

The targeting selection (issue 8) replaces ``queue_page`` with what it selects
under each facility's capacity; the page only needs ``QueueItem`` rows, a total,
and ``facilities``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, and_, exists, func, select

from ecomrisk.store.schema import decisions, filers, outcomes, queue_claims, shipments, users

MAX_PAGE = 100
Sort = Literal["score", "arrival", "received"]
ClaimFilter = Literal["any", "mine", "unclaimed"]


@dataclass(frozen=True)
class QueueFilter:
    facility: str | None = None
    lane: str | None = None
    claim: ClaimFilter = "any"
    search: str | None = None  # house bill or filer reference, from the start
    sort: Sort = "score"
    sid: int | None = None  # one shipment version only (to redraw its row)


@dataclass(frozen=True)
class QueueItem:
    sid: int
    filer_id: int
    filer_code: str
    filer_reference: str
    house_bill: str
    mode: str
    port_of_arrival: str
    estimated_arrival: datetime
    lane: str
    score: float
    claimed_by: str | None
    claimed_at: datetime | None


def facilities(connection: Connection) -> list[str]:
    """Ports of arrival of current shipments (a facility table comes with targeting)."""
    return list(
        connection.execute(
            select(shipments.c.port_of_arrival)
            .where(shipments.c.is_current)
            .distinct()
            .order_by(shipments.c.port_of_arrival)
        ).scalars()
    )


def queue_page(
    connection: Connection, where: QueueFilter, user_id: int, *, limit: int, offset: int
) -> tuple[list[QueueItem], int]:
    """A page of the queue and the number of shipments in it."""
    newer = decisions.alias("newer")
    latest_live = (
        select(func.max(newer.c.id))
        .where(newer.c.shipment_id == shipments.c.id, newer.c.kind == "live")
        .correlate(shipments)
        .scalar_subquery()
    )
    version = shipments.alias("any_version")
    examined = exists().where(
        version.c.filer_id == shipments.c.filer_id,
        version.c.filer_reference == shipments.c.filer_reference,
        outcomes.c.shipment_id == version.c.id,
    )
    claim_join = and_(
        queue_claims.c.filer_id == shipments.c.filer_id,
        queue_claims.c.filer_reference == shipments.c.filer_reference,
    )
    conditions = [
        shipments.c.is_current,
        shipments.c.status == "active",
        decisions.c.lane != "release",
        ~examined,
    ]
    if where.sid is not None:
        conditions.append(shipments.c.id == where.sid)
    if where.facility:
        conditions.append(shipments.c.port_of_arrival == where.facility)
    if where.lane:
        conditions.append(decisions.c.lane == where.lane)
    if where.claim == "mine":
        conditions.append(queue_claims.c.user_id == user_id)
    elif where.claim == "unclaimed":
        conditions.append(queue_claims.c.user_id.is_(None))
    if where.search:
        # Escaped so that % and _ in a reference match themselves.
        pattern = where.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            shipments.c.house_bill.like(pattern, escape="\\")
            | shipments.c.filer_reference.like(pattern, escape="\\")
        )
    source = (
        shipments.join(decisions, decisions.c.id == latest_live)
        .join(filers, filers.c.id == shipments.c.filer_id)
        .outerjoin(queue_claims, claim_join)
        .outerjoin(users, users.c.id == queue_claims.c.user_id)
    )
    order = {
        "score": (decisions.c.score.desc(), shipments.c.estimated_arrival, shipments.c.id),
        "arrival": (shipments.c.estimated_arrival, decisions.c.score.desc(), shipments.c.id),
        "received": (shipments.c.received_at.desc(), shipments.c.id.desc()),
    }[where.sort]
    rows = connection.execute(
        select(
            shipments.c.id.label("sid"),
            shipments.c.filer_id,
            filers.c.code.label("filer_code"),
            shipments.c.filer_reference,
            shipments.c.house_bill,
            shipments.c.mode,
            shipments.c.port_of_arrival,
            shipments.c.estimated_arrival,
            decisions.c.lane,
            decisions.c.score,
            users.c.username.label("claimed_by"),
            queue_claims.c.claimed_at,
        )
        .select_from(source)
        .where(*conditions)
        .order_by(*order)
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    ).all()
    total = connection.execute(
        select(func.count()).select_from(source).where(*conditions)
    ).scalar_one()
    return [QueueItem(**r._mapping) for r in rows], int(total)
