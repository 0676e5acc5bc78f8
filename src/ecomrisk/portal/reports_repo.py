"""Violation reports in the store: kept with their files, triaged by analysts,
linked to parties and entities (which the risk engine then reads as intelligence)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from ecomrisk import audit
from ecomrisk.ingest import normalise
from ecomrisk.portal.reports import OUTCOMES, STATUSES, ReportInput, problems
from ecomrisk.store.schema import parties, portal_reports, report_files, report_links

# No 0/O or 1/I: the reference is read out over the phone.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PUBLIC = "public"  # the actor of what the portal stores


class ReportError(ValueError):
    """A report or triage step that cannot be stored; names the field."""


def new_reference() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"RPT-{code[:4]}-{code[4:]}"


def submit(connection: Connection, report: ReportInput) -> str:
    """Store the report and its files; its reference. Nothing is stored on a problem."""
    found = problems(report)
    if found:
        raise ReportError("; ".join(found))
    reference = new_reference()
    while connection.execute(
        select(portal_reports.c.id).where(portal_reports.c.reference == reference)
    ).first():
        reference = new_reference()
    report_id = connection.execute(
        portal_reports.insert()
        .values(
            reference=reference,
            received_at=datetime.now(UTC),
            contact_name=report.contact_name.strip() or None,
            contact_email=report.contact_email.strip() or None,
            contact_phone=report.contact_phone.strip() or None,
            violator_name=report.violator_name.strip(),
            violator_address=report.violator_address.strip() or None,
            violator_website=report.violator_website.strip() or None,
            violation_type=report.violation_type,
            product=report.product.strip(),
            description=report.description.strip(),
            status="new",
        )
        .returning(portal_reports.c.id)
    ).scalar_one()
    for file in report.files:
        connection.execute(
            report_files.insert().values(
                report_id=report_id,
                filename=file.filename,
                media_type=file.media_type,
                size=len(file.content),
                sha256=hashlib.sha256(file.content).hexdigest(),
                content=file.content,
            )
        )
    audit.record(
        connection,
        actor=PUBLIC,
        action="report.receive",
        entity="portal_report",
        entity_id=reference,
        after={
            "violation_type": report.violation_type,
            "anonymous": report.anonymous,
            "files": len(report.files),
        },
    )
    return reference


@dataclass(frozen=True)
class Report:
    row: Any
    files: list[Any]
    links: list[Any]


def get(connection: Connection, reference: str) -> Report:
    row = connection.execute(
        select(portal_reports).where(portal_reports.c.reference == reference)
    ).first()
    if row is None:
        raise ReportError(f"no report {reference!r}")
    files = connection.execute(
        select(
            report_files.c.id,
            report_files.c.filename,
            report_files.c.media_type,
            report_files.c.size,
            report_files.c.sha256,
        )
        .where(report_files.c.report_id == row.id)
        .order_by(report_files.c.id)
    ).all()
    links = connection.execute(
        select(report_links).where(report_links.c.report_id == row.id).order_by(report_links.c.id)
    ).all()
    return Report(row, list(files), list(links))


def file_content(connection: Connection, reference: str, file_id: int) -> Any:
    row = connection.execute(
        select(report_files.c.filename, report_files.c.media_type, report_files.c.content)
        .join(portal_reports, portal_reports.c.id == report_files.c.report_id)
        .where(portal_reports.c.reference == reference, report_files.c.id == file_id)
    ).first()
    if row is None:
        raise ReportError(f"no file {file_id} on report {reference!r}")
    return row


def queue(
    connection: Connection, status: str | None, limit: int = 100, offset: int = 0
) -> tuple[list[Any], int]:
    """Reports, oldest untriaged first (then newest triaged)."""
    query = select(
        portal_reports.c.reference,
        portal_reports.c.received_at,
        portal_reports.c.violator_name,
        portal_reports.c.violation_type,
        portal_reports.c.product,
        portal_reports.c.status,
    )
    counted = select(func.count()).select_from(portal_reports)
    if status:
        if status not in STATUSES:
            raise ReportError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        query = query.where(portal_reports.c.status == status)
        counted = counted.where(portal_reports.c.status == status)
    rows = connection.execute(
        query.order_by((portal_reports.c.status != "new"), portal_reports.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(connection.execute(counted).scalar_one())


def candidates(connection: Connection, name: str, limit: int = 20) -> list[Any]:
    """Parties whose normalised name contains ``name``: role, name, entity, filings."""
    needle = normalise.name(name)
    if len(needle) < 2:
        return []
    return list(
        connection.execute(
            select(
                parties.c.name_norm,
                parties.c.role,
                parties.c.entity_id,
                func.min(parties.c.name).label("name"),
                func.count().label("filings"),
            )
            .where(parties.c.name_norm.contains(needle, autoescape=True))
            .group_by(parties.c.name_norm, parties.c.role, parties.c.entity_id)
            .order_by(func.count().desc())
            .limit(limit)
        )
    )


def link(connection: Connection, reference: str, kind: str, target: str, actor: str) -> None:
    """Link the report to a party name (normalised here) or a network entity id."""
    report = get(connection, reference)
    if kind not in ("name", "entity"):
        raise ReportError(f"kind: {kind!r} is not name or entity")
    value = normalise.name(target) if kind == "name" else target.strip()
    if not value or len(value) > 200:
        raise ReportError("target: give a party name or an entity id (at most 200 characters)")
    if (
        kind == "entity"
        and not connection.execute(
            select(parties.c.id).where(parties.c.entity_id == value).limit(1)
        ).first()
    ):
        raise ReportError(f"target: no party belongs to entity {value!r}")
    if any(lk.kind == kind and lk.target == value for lk in report.links):
        raise ReportError(f"target: the report is linked to {kind} {value!r} already")
    connection.execute(
        report_links.insert().values(
            report_id=report.row.id,
            kind=kind,
            target=value,
            linked_by=actor,
            linked_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="report.link",
        entity="portal_report",
        entity_id=reference,
        after={"kind": kind, "target": value},
    )


def record_outcome(
    connection: Connection, reference: str, outcome: str, note: str, actor: str
) -> None:
    report = get(connection, reference)
    if outcome not in OUTCOMES:
        raise ReportError(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    if len(note) > 2000:
        raise ReportError("note: at most 2000 characters")
    connection.execute(
        update(portal_reports)
        .where(portal_reports.c.id == report.row.id)
        .values(
            status=outcome,
            outcome_note=note.strip() or None,
            triaged_by=actor,
            triaged_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="report.outcome",
        entity="portal_report",
        entity_id=reference,
        before={"status": report.row.status},
        after={"status": outcome, "note": note.strip()},
    )
