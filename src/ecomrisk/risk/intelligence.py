"""Intelligence from public reports: a filing whose parties an analyst linked to a
report of the public portal (by normalised name or network entity) is riskier.

``intelligence_features`` reads the links (I/O); ``lift`` is the pure effect on
the decision: each linked report raises the score like an independent rule of
weight ``REPORT_WEIGHT`` and the lane to at least ``REPORT_LANE``. Reports
found unsubstantiated or duplicate no longer count.
"""

from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, bindparam, or_, select, true

from ecomrisk.domain.enums import Lane
from ecomrisk.domain.records import Reason
from ecomrisk.store.schema import parties, portal_reports, report_links

FEATURES = ("intelligence_reports",)
REPORT_WEIGHT = 0.5
REPORT_LANE = Lane.PHYSICAL
NOT_COUNTED = ("unsubstantiated", "duplicate")
INTELLIGENCE_VERSION = "intel-v1"


def no_intelligence() -> dict[str, float]:
    return {"intelligence_reports": 0.0}


def _linked_query(where: ColumnElement[bool]) -> Any:
    """Parties matching ``where`` with the counted reports linked to them."""
    return (
        select(
            parties.c.shipment_id,
            parties.c.role,
            parties.c.name,
            portal_reports.c.reference,
            portal_reports.c.violation_type,
            portal_reports.c.status,
            report_links.c.kind,
            report_links.c.target,
        )
        .join(
            report_links,
            or_(
                and_(report_links.c.kind == "name", report_links.c.target == parties.c.name_norm),
                and_(
                    report_links.c.kind == "entity",
                    report_links.c.target == parties.c.entity_id,
                ),
            ),
        )
        .join(portal_reports, portal_reports.c.id == report_links.c.report_id)
        .where(where, portal_reports.c.status.not_in(NOT_COUNTED))
        .order_by(parties.c.shipment_id, portal_reports.c.reference, parties.c.id)
    )


# Built once: every filing is decided with it (see features/events.py on why).
_LINKED_TO_VERSION = _linked_query(parties.c.shipment_id == bindparam("sid"))


def _explained(rows: list[Row[Any]]) -> tuple[dict[str, float], list[Reason]]:
    """Features and reasons of one filing: one reason per report, from its first party."""
    reasons: dict[str, Reason] = {}
    for row in rows:
        if row.reference in reasons:
            continue
        via = "name" if row.kind == "name" else f"entity {row.target}"
        reasons[row.reference] = Reason(
            kind="intelligence",
            code=row.reference,
            text=f"{row.role} {row.name!r} is linked ({via}) to public report {row.reference}: "
            f"suspected {row.violation_type.replace('_', ' ')}, {row.status} "
            "(source: public portal)",
            weight=REPORT_WEIGHT,
        )
    return {"intelligence_reports": float(len(reasons))}, list(reasons.values())


def intelligence_features(
    connection: Connection, sid: int
) -> tuple[dict[str, float], list[Reason]]:
    """Reports linked to any party of shipment version ``sid``, with their source."""
    return _explained(list(connection.execute(_LINKED_TO_VERSION, {"sid": sid})))


def stored_intelligence(
    connection: Connection, between: tuple[int, int] | None = None
) -> dict[int, tuple[dict[str, float], list[Reason]]]:
    """Features and reasons of every shipment version with a linked report, for batch
    rescoring (links are few: one query over them); ``between``: only versions with
    ids in that closed range."""
    where = true() if between is None else parties.c.shipment_id.between(*between)
    by_sid: dict[int, list[Row[Any]]] = {}
    for row in connection.execute(_linked_query(where)):
        by_sid.setdefault(row.shipment_id, []).append(row)
    return {sid: _explained(rows) for sid, rows in by_sid.items()}


def lift(score: float, lane: Lane, reports: float) -> tuple[float, Lane]:
    """Score and lane raised for ``reports`` linked reports (none: unchanged)."""
    if reports <= 0:
        return score, lane
    raised = 1 - (1 - score) * (1 - REPORT_WEIGHT) ** reports
    return raised, REPORT_LANE if REPORT_LANE.rank > lane.rank else lane
