"""The population and the random sample, read from the store for a period of
arrival: how many shipments each stratum holds, and what random exams found."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from ecomrisk.compliance.strata import Unit, stratum_of
from ecomrisk.store.schema import findings, line_items, outcomes, shipments
from ecomrisk.targeting import trusted_repo


@dataclass(frozen=True)
class Period:
    since: date | None = None
    until: date | None = None  # exclusive

    def filter(self, query: Select[Any]) -> Select[Any]:
        if self.since is not None:
            query = query.where(shipments.c.estimated_arrival >= _moment(self.since))
        if self.until is not None:
            query = query.where(shipments.c.estimated_arrival < _moment(self.until))
        return query

    @property
    def as_of(self) -> date:
        """The day trusted status is taken on: the period's last day, or today."""
        return self.until or datetime.now(UTC).date()


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _first_item() -> Any:
    return and_(line_items.c.shipment_id == shipments.c.id, line_items.c.line_no == 1)


def populations(connection: Connection, period: Period, by: Sequence[str]) -> dict[str, int]:
    """Current, active shipments by stratum (HS chapter is enough to know the section)."""
    chapter = func.substr(line_items.c.hs_code, 1, 2).label("chapter")
    trusted = trusted_repo.trusted_clause(period.as_of).label("trusted")
    query = period.filter(
        select(shipments.c.mode, shipments.c.country_of_export, chapter, trusted, func.count())
        .select_from(shipments)
        .outerjoin(line_items, _first_item())
        .where(shipments.c.is_current, shipments.c.status == "active")
        .group_by(shipments.c.mode, shipments.c.country_of_export, chapter, trusted)
    )
    counts: dict[str, int] = {}
    for mode, country, hs_chapter, is_trusted, count in connection.execute(query):
        stratum = stratum_of(Unit(mode, country, hs_chapter, bool(is_trusted)), by)
        counts[stratum] = counts.get(stratum, 0) + int(count)
    return counts


@dataclass(frozen=True)
class Examined:
    """One exam outcome, with what estimators need of it."""

    outcome_id: int
    selection: str
    inclusion_probability: float | None
    result: str
    finding_types: frozenset[str]
    revenue: float
    currency: str | None
    stratum: str


def examined(connection: Connection, period: Period, by: Sequence[str]) -> list[Examined]:
    """Every exam outcome of shipments arriving in the period."""
    trusted = trusted_repo.trusted_clause(period.as_of).label("trusted")
    query = period.filter(
        select(
            outcomes.c.id,
            outcomes.c.selection,
            outcomes.c.inclusion_probability,
            outcomes.c.result,
            outcomes.c.revenue_recovered,
            outcomes.c.currency,
            shipments.c.mode,
            shipments.c.country_of_export,
            line_items.c.hs_code,
            trusted,
        )
        .join(shipments, shipments.c.id == outcomes.c.shipment_id)
        .outerjoin(line_items, _first_item())
        .order_by(outcomes.c.id)
    )
    rows = connection.execute(query).all()
    types: dict[int, set[str]] = {}
    finding_rows = connection.execute(
        period.filter(
            select(findings.c.outcome_id, findings.c.finding_type)
            .join(outcomes, outcomes.c.id == findings.c.outcome_id)
            .join(shipments, shipments.c.id == outcomes.c.shipment_id)
        )
    )
    for outcome_id, finding_type in finding_rows:
        types.setdefault(int(outcome_id), set()).add(finding_type)
    return [
        Examined(
            int(r.id),
            r.selection,
            r.inclusion_probability,
            r.result,
            frozenset(types.get(int(r.id), set())),
            float(r.revenue_recovered or 0),
            r.currency,
            stratum_of(Unit(r.mode, r.country_of_export, r.hs_code, bool(r.trusted)), by),
        )
        for r in rows
    ]
