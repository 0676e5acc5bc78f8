"""Where the officer's queue comes from.

When the targeting selection (``targeting.runs_repo``) has run for a facility and
customs day, the queue is what it selected, in rank order, with the reason and
the exam type (``selected_queue``). Otherwise it falls back to the lanes: current
shipments whose live decision is not release and that nobody examined yet
(``queue_page``); the page says which of the two it shows.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, and_, exists, func, select

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.store.schema import (
    decisions,
    filers,
    outcomes,
    queue_claims,
    selection_runs,
    shipments,
    users,
)
from ecomrisk.store.schema import (
    facilities as facilities_table,
)
from ecomrisk.targeting import facilities_repo, runs_repo

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


@dataclass(frozen=True)
class SelectedItem:
    """A row of the queue from a selection: the shipment as the lane queue shows it,
    with why targeting chose it and for which exam."""

    rank: int
    reason: str  # forced, score, exploration, random
    exam_type: str
    item: QueueItem
    examined: bool


@dataclass(frozen=True)
class SelectedQueue:
    facility: str
    day: date
    created_by: str
    summary: dict[str, object]
    items: list[SelectedItem]


def facilities(connection: Connection) -> list[str]:
    """Facilities set up for targeting and ports of arrival of current shipments."""
    ports = connection.execute(
        select(shipments.c.port_of_arrival).where(shipments.c.is_current).distinct()
    ).scalars()
    codes = {f.code for f in facilities_repo.list_all(connection)}
    return sorted(codes | set(ports))


def customs_today(profile: JurisdictionProfile, now: datetime | None = None) -> date:
    """The customs day it is now, counted in the profile's offset (as selection does)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return (moment + timedelta(hours=profile.customs_day_utc_offset_hours)).date()


def default_day(connection: Connection, facility: str | None, today: date) -> date:
    """The day the queue opens on: today, or the first day from today on that the
    facility has a selection for (selection runs ahead of arrivals)."""
    if not facility:
        return today
    found = connection.execute(
        select(func.min(selection_runs.c.day))
        .join(facilities_table, facilities_table.c.id == selection_runs.c.facility_id)
        .where(facilities_table.c.code == facility, selection_runs.c.day >= today.isoformat())
    ).scalar()
    return date.fromisoformat(found) if found else today


def selected_queue(
    connection: Connection, facility: str, day: date, user_id: int
) -> SelectedQueue | None:
    """What targeting selected at ``facility`` for ``day``, in rank order; None when
    the facility is not set up or nothing was selected for that day."""
    try:
        stored = runs_repo.read(connection, facilities_repo.get(connection, facility), day)
    except (facilities_repo.FacilityError, runs_repo.SelectionError):
        return None
    picks = stored["selections"]
    sids = [p["shipment_version_id"] for p in picks]
    rows = {
        r.sid: r
        for r in connection.execute(
            select(
                shipments.c.id.label("sid"),
                shipments.c.filer_id,
                filers.c.code.label("filer_code"),
                shipments.c.filer_reference,
                shipments.c.house_bill,
                shipments.c.mode,
                shipments.c.port_of_arrival,
                shipments.c.estimated_arrival,
                users.c.username.label("claimed_by"),
                queue_claims.c.claimed_at,
            )
            .select_from(
                shipments.join(filers, filers.c.id == shipments.c.filer_id)
                .outerjoin(
                    queue_claims,
                    and_(
                        queue_claims.c.filer_id == shipments.c.filer_id,
                        queue_claims.c.filer_reference == shipments.c.filer_reference,
                    ),
                )
                .outerjoin(users, users.c.id == queue_claims.c.user_id)
            )
            .where(shipments.c.id.in_(sids))
        )
    }
    examined = set(
        connection.execute(
            select(outcomes.c.shipment_id).where(outcomes.c.shipment_id.in_(sids))
        ).scalars()
    )
    items = [
        SelectedItem(
            rank=p["rank"],
            reason=p["reason"],
            exam_type=p["exam_type"],
            item=QueueItem(
                **rows[p["shipment_version_id"]]._mapping,
                lane=p["lane"] or "",
                score=float(p["probability"] or 0.0),  # of a violation, as selection ranked it
            ),
            examined=p["shipment_version_id"] in examined,
        )
        for p in picks
        if p["shipment_version_id"] in rows
    ]
    return SelectedQueue(
        facility,
        date.fromisoformat(str(stored["day"])),
        stored["created_by"],
        dict(stored["summary"]),
        items,
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
