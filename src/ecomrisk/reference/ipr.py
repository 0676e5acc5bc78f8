"""IPR recordations (trademarks recorded with customs) and the counterfeit
findings linked to them, with the notice sent to the rights holder."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from ecomrisk import audit
from ecomrisk.store.schema import finding_recordations, findings, ipr_recordations, outcomes

MAX_MANUFACTURERS = 50


class IprError(ValueError):
    """An IPR operation that cannot be done; the message names the field."""


@dataclass(frozen=True)
class Recordation:
    id: int
    number: str
    trademark: str
    owner: str
    owner_contact: str
    authorised_manufacturers: list[str]
    active: bool


@dataclass(frozen=True)
class FindingLink:
    finding_id: int
    recordation: Recordation
    linked_by: str
    linked_at: datetime
    notice_sent_at: datetime | None
    notice_sent_by: str | None
    notice_note: str | None


def _recordation(r: Any) -> Recordation:
    return Recordation(
        r.id,
        r.number,
        r.trademark,
        r.owner,
        r.owner_contact,
        list(r.authorised_manufacturers),
        bool(r.active),
    )


def _clean(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise IprError(f"{field}: required")
    if len(value) > limit:
        raise IprError(f"{field}: at most {limit} characters")
    return value


def create_recordation(
    connection: Connection,
    *,
    number: str,
    trademark: str,
    owner: str,
    owner_contact: str,
    authorised_manufacturers: list[str],
    actor: str,
) -> int:
    values = {
        "number": _clean(number, "number", 50),
        "trademark": _clean(trademark, "trademark", 200),
        "owner": _clean(owner, "owner", 200),
        "owner_contact": _clean(owner_contact, "owner_contact", 300),
        "authorised_manufacturers": [
            _clean(m, "authorised_manufacturers", 200)
            for m in authorised_manufacturers
            if m.strip()
        ],
    }
    if len(values["authorised_manufacturers"]) > MAX_MANUFACTURERS:
        raise IprError(f"authorised_manufacturers: at most {MAX_MANUFACTURERS}")
    exists = connection.execute(
        select(ipr_recordations.c.id).where(ipr_recordations.c.number == values["number"])
    ).scalar()
    if exists is not None:
        raise IprError(f"number: recordation {values['number']!r} exists already")
    rid = connection.execute(
        ipr_recordations.insert()
        .values(**values, active=True, created_by=actor, created_at=datetime.now(UTC))
        .returning(ipr_recordations.c.id)
    ).scalar_one()
    audit.record(
        connection,
        actor=actor,
        action="ipr.create",
        entity="recordation",
        entity_id=rid,
        after=values,
    )
    return int(rid)


def set_active(connection: Connection, recordation_id: int, active: bool, *, actor: str) -> None:
    before = get_recordation(connection, recordation_id)
    if before is None:
        raise IprError(f"recordation: no recordation {recordation_id}")
    connection.execute(
        update(ipr_recordations)
        .where(ipr_recordations.c.id == recordation_id)
        .values(active=active)
    )
    audit.record(
        connection,
        actor=actor,
        action="ipr.activate" if active else "ipr.deactivate",
        entity="recordation",
        entity_id=recordation_id,
        before={"active": before.active},
        after={"active": active},
    )


def get_recordation(connection: Connection, recordation_id: int) -> Recordation | None:
    row = connection.execute(
        select(ipr_recordations).where(ipr_recordations.c.id == recordation_id)
    ).one_or_none()
    return None if row is None else _recordation(row)


def list_recordations(
    connection: Connection, *, active_only: bool = False, limit: int = 200, offset: int = 0
) -> tuple[list[Recordation], int]:
    query = select(ipr_recordations)
    count = select(func.count()).select_from(ipr_recordations)
    if active_only:
        query = query.where(ipr_recordations.c.active)
        count = count.where(ipr_recordations.c.active)
    rows = connection.execute(
        query.order_by(ipr_recordations.c.trademark).limit(min(limit, 500)).offset(offset)
    ).all()
    return [_recordation(r) for r in rows], int(connection.execute(count).scalar_one())


def link_finding(
    connection: Connection, finding_id: int, recordation_id: int, *, actor: str
) -> None:
    """Link a counterfeit finding to the recordation it infringes."""
    finding_type = connection.execute(
        select(findings.c.finding_type).where(findings.c.id == finding_id)
    ).scalar()
    if finding_type is None:
        raise IprError(f"finding: no finding {finding_id}")
    if finding_type != "counterfeit":
        raise IprError(f"finding: {finding_type} is not a counterfeit finding")
    if get_recordation(connection, recordation_id) is None:
        raise IprError(f"recordation: no recordation {recordation_id}")
    if connection.execute(
        select(finding_recordations.c.finding_id).where(
            finding_recordations.c.finding_id == finding_id
        )
    ).first():
        raise IprError(f"finding: finding {finding_id} is linked to a recordation already")
    connection.execute(
        finding_recordations.insert().values(
            finding_id=finding_id,
            recordation_id=recordation_id,
            linked_by=actor,
            linked_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="ipr.link",
        entity="finding",
        entity_id=finding_id,
        after={"recordation_id": recordation_id},
    )


def record_notice(connection: Connection, finding_id: int, note: str, *, actor: str) -> None:
    """Record that the rights holder was notified of a linked counterfeit finding."""
    row = connection.execute(
        select(finding_recordations).where(finding_recordations.c.finding_id == finding_id)
    ).one_or_none()
    if row is None:
        raise IprError(f"finding: finding {finding_id} is not linked to a recordation")
    if row.notice_sent_at is not None:
        raise IprError("notice: the rights holder was notified already")
    note = note.strip()[:500]
    at = datetime.now(UTC)
    connection.execute(
        update(finding_recordations)
        .where(finding_recordations.c.finding_id == finding_id)
        .values(notice_sent_at=at, notice_sent_by=actor, notice_note=note or None)
    )
    audit.record(
        connection,
        actor=actor,
        action="ipr.notice",
        entity="finding",
        entity_id=finding_id,
        before={"notice_sent_at": None},
        after={"notice_sent_at": at.isoformat(), "note": note},
    )


def links_of_shipment(connection: Connection, sids: list[int]) -> dict[int, FindingLink]:
    """Finding id -> its link, for findings of outcomes on shipment versions ``sids``."""
    rows = connection.execute(
        select(finding_recordations, ipr_recordations)
        .join(ipr_recordations, ipr_recordations.c.id == finding_recordations.c.recordation_id)
        .join(findings, findings.c.id == finding_recordations.c.finding_id)
        .join(outcomes, outcomes.c.id == findings.c.outcome_id)
        .where(outcomes.c.shipment_id.in_(sids))
    ).all()
    return {
        r.finding_id: FindingLink(
            r.finding_id,
            _recordation(r),
            r.linked_by,
            r.linked_at,
            r.notice_sent_at,
            r.notice_sent_by,
            r.notice_note,
        )
        for r in rows
    }


def matching_recordations(connection: Connection, brands: list[str]) -> list[Recordation]:
    """Active recordations whose trademark is one of ``brands`` (case-insensitive)."""
    wanted = {b.strip().lower() for b in brands if b and b.strip()}
    if not wanted:
        return []
    rows = connection.execute(
        select(ipr_recordations).where(
            ipr_recordations.c.active, func.lower(ipr_recordations.c.trademark).in_(wanted)
        )
    ).all()
    return [_recordation(r) for r in rows]
