"""The statements measures read, one function each, over one period. SQLAlchemy
Core with the period's bounds as parameters and aggregation in SQL, so they run
unchanged on SQLite and PostgreSQL; no arithmetic on the results here."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql import ColumnElement

from ecomrisk.measures.periods import Span
from ecomrisk.store.schema import (
    case_steps,
    enforcement_cases,
    filers,
    filing_quality,
    findings,
    line_items,
    outcomes,
    portal_reports,
    shipments,
)
from ecomrisk.targeting import trusted_repo


def _arriving(span: Span) -> ColumnElement[bool]:
    return and_(
        shipments.c.is_current,
        shipments.c.status == "active",
        shipments.c.estimated_arrival >= span.start,
        shipments.c.estimated_arrival < span.end,
    )


def _examined_in(span: Span) -> ColumnElement[bool]:
    return and_(outcomes.c.examined_at >= span.start, outcomes.c.examined_at < span.end)


def volume(connection: Connection, span: Span, by: str) -> list[tuple[str, int]]:
    """Arriving shipments counted by ``mode``, ``port`` or ``filer``."""
    column: Any = {
        "mode": shipments.c.mode,
        "port": shipments.c.port_of_arrival,
        "filer": filers.c.code,
    }[by]
    query = (
        select(column, func.count())
        .select_from(shipments.join(filers, filers.c.id == shipments.c.filer_id))
        .where(_arriving(span))
        .group_by(column)
    )
    return [(str(key), int(count)) for key, count in connection.execute(query)]


def advance(connection: Connection, span: Span) -> tuple[int, int, int]:
    """(arriving shipments with a quality row, of them before arrival, within the deadline)."""
    query = (
        select(
            func.count(),
            func.coalesce(func.sum(case((filing_quality.c.lead_hours > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((filing_quality.c.on_time, 1), else_=0)), 0),
        )
        .select_from(shipments.join(filing_quality, filing_quality.c.shipment_id == shipments.c.id))
        .where(_arriving(span))
    )
    total, before, on_time = connection.execute(query).one()
    return int(total), int(before), int(on_time)


def quality(connection: Connection, span: Span) -> list[tuple[str, int, float]]:
    """(filer code, shipments, sum of quality scores) of arriving shipments."""
    query = (
        select(filers.c.code, func.count(), func.sum(filing_quality.c.score))
        .select_from(
            shipments.join(filing_quality, filing_quality.c.shipment_id == shipments.c.id).join(
                filers, filers.c.id == shipments.c.filer_id
            )
        )
        .where(_arriving(span))
        .group_by(filers.c.code)
    )
    return [(str(c), int(n), float(s or 0)) for c, n, s in connection.execute(query)]


def _any_outcome() -> ColumnElement[bool]:
    """An outcome on any version of the current row's filing (exams are recorded on
    the version current when examined, which a later amendment supersedes)."""
    versions = shipments.alias("versions")
    return (
        select(outcomes.c.id)
        .join(versions, versions.c.id == outcomes.c.shipment_id)
        .where(
            versions.c.filer_id == shipments.c.filer_id,
            versions.c.filer_reference == shipments.c.filer_reference,
        )
        .exists()
    )


def exams(connection: Connection, span: Span) -> tuple[int, int]:
    """(arriving shipments, of them examined at least once)."""
    query = select(
        func.count(), func.coalesce(func.sum(case((_any_outcome(), 1), else_=0)), 0)
    ).where(_arriving(span))
    total, examined = connection.execute(query).one()
    return int(total), int(examined)


def seizures(connection: Connection, span: Span) -> list[tuple[int, str | None, Any, str | None]]:
    """(outcome id, finding type or None, MSRP seized, currency) of seizures in the
    period: one row per finding, or one with no finding."""
    query = (
        select(outcomes.c.id, findings.c.finding_type, outcomes.c.msrp_seized, outcomes.c.currency)
        .select_from(outcomes.outerjoin(findings, findings.c.outcome_id == outcomes.c.id))
        .where(_examined_in(span), outcomes.c.action == "seize")
        .order_by(outcomes.c.id)
    )
    return [(int(i), t, m, c) for i, t, m, c in connection.execute(query)]


def ipr_seizures(connection: Connection, span: Span) -> list[tuple[str | None, int]]:
    """(HS code of the first line item, seizures with a counterfeit finding)."""
    counterfeit = (
        select(findings.c.id)
        .where(findings.c.outcome_id == outcomes.c.id, findings.c.finding_type == "counterfeit")
        .exists()
    )
    first_line = and_(line_items.c.shipment_id == outcomes.c.shipment_id, line_items.c.line_no == 1)
    query = (
        select(line_items.c.hs_code, func.count())
        .select_from(outcomes.outerjoin(line_items, first_line))
        .where(_examined_in(span), outcomes.c.action == "seize", counterfeit)
        .group_by(line_items.c.hs_code)
    )
    return [(code, int(n)) for code, n in connection.execute(query)]


def revenue(connection: Connection, span: Span) -> list[tuple[str | None, Any]]:
    """(currency, revenue recovered) of exams in the period. Amounts are read one by
    one, not summed in SQL: SQLite keeps money as text, and its SUM would go through
    floating point."""
    query = select(outcomes.c.currency, outcomes.c.revenue_recovered).where(
        _examined_in(span), outcomes.c.revenue_recovered.is_not(None)
    )
    return [(c, v) for c, v in connection.execute(query)]


def releases(connection: Connection, span: Span) -> list[tuple[datetime, datetime]]:
    """(estimated arrival, release) of examined shipments released in the period: a
    case's release step, else an exam whose action was release (and no case)."""
    cases_released = (
        select(shipments.c.estimated_arrival, func.min(case_steps.c.at))
        .select_from(
            enforcement_cases.join(case_steps, case_steps.c.case_id == enforcement_cases.c.id).join(
                shipments, shipments.c.id == enforcement_cases.c.shipment_id
            )
        )
        .where(case_steps.c.step == "release")
        .group_by(enforcement_cases.c.id, shipments.c.estimated_arrival)
        .having(and_(func.min(case_steps.c.at) >= span.start, func.min(case_steps.c.at) < span.end))
    )
    has_case = (
        select(enforcement_cases.c.id)
        .where(enforcement_cases.c.outcome_id == outcomes.c.id)
        .exists()
    )
    exams_released = (
        select(shipments.c.estimated_arrival, outcomes.c.examined_at)
        .join(shipments, shipments.c.id == outcomes.c.shipment_id)
        .where(_examined_in(span), outcomes.c.action == "release", ~has_case)
    )
    rows = [*connection.execute(cases_released), *connection.execute(exams_released)]
    return [(arrival, released) for arrival, released in rows]


def trusted(connection: Connection, span: Span) -> tuple[int, int]:
    """(arriving shipments, of them moved by a party trusted on the period's last day)."""
    clause = trusted_repo.trusted_clause(span.last_day)
    query = select(func.count(), func.coalesce(func.sum(case((clause, 1), else_=0)), 0)).where(
        _arriving(span)
    )
    total, moved = connection.execute(query).one()
    return int(total), int(moved)


def public_reports(connection: Connection, span: Span) -> list[tuple[str, int]]:
    """(status, reports received through the public portal in the period): ``new``
    until triaged, then the analyst's outcome (substantiated, unsubstantiated,
    duplicate, referred)."""
    status = portal_reports.c.status
    query = (
        select(status, func.count())
        .where(portal_reports.c.received_at >= span.start, portal_reports.c.received_at < span.end)
        .group_by(status)
    )
    return [(str(s), int(n)) for s, n in connection.execute(query)]
