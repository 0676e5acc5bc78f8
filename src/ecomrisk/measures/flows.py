"""The e-commerce supply chain as flows: origin country -> filer -> port of arrival
-> destination region (the consignee's region), weighted by volume, declared
value or risk (the sum of the live decisions' scores: expected violations).

One grouped query reads the cells; the stages and links are built by pure code."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection, and_, func, select

from ecomrisk.compliance.strata import hs_section
from ecomrisk.measures.periods import moment
from ecomrisk.store.schema import decisions, feature_events, filers, line_items, parties, shipments

Weight = Literal["volume", "value", "risk"]
WEIGHTS: tuple[Weight, ...] = ("volume", "value", "risk")
STAGES = ("origin", "filer", "port", "destination")
MAX_CELLS = 50_000  # grouped cells read at most; a wider map is refused, not truncated


class FlowError(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None  # exclusive
    mode: str | None = None
    hs_section: str | None = None  # Roman numeral, e.g. XI
    min_risk: float | None = None  # keep shipments whose live score is at least this


@dataclass(frozen=True)
class Cell:
    origin: str
    filer: str
    port: str
    destination: str
    hs_section: str
    shipments: int
    value: float
    risk: float

    def weight(self, by: Weight) -> float:
        return {"volume": float(self.shipments), "value": self.value, "risk": self.risk}[by]


@dataclass(frozen=True)
class Link:
    stage: int  # 0: origin -> filer, 1: filer -> port, 2: port -> destination
    source: str
    target: str
    weight: float


def cells(connection: Connection, filters: Filters) -> list[Cell]:
    latest = (
        select(decisions.c.shipment_id, func.max(decisions.c.id).label("id"))
        .where(decisions.c.kind == "live")
        .group_by(decisions.c.shipment_id)
        .subquery()
    )
    consignee = parties.alias("consignee")
    chapter = func.substr(line_items.c.hs_code, 1, 2)
    destination = func.coalesce(consignee.c.region, consignee.c.city, "unknown")
    score = func.coalesce(decisions.c.score, 0.0)
    query = (
        select(
            shipments.c.country_of_export,
            filers.c.code,
            shipments.c.port_of_arrival,
            destination,
            chapter,
            func.count(),
            func.coalesce(func.sum(feature_events.c.value), 0.0),
            func.sum(score),
        )
        .select_from(
            shipments.join(filers, filers.c.id == shipments.c.filer_id)
            .outerjoin(feature_events, feature_events.c.sid == shipments.c.id)
            .outerjoin(latest, latest.c.shipment_id == shipments.c.id)
            .outerjoin(decisions, decisions.c.id == latest.c.id)
            .outerjoin(
                consignee,
                and_(consignee.c.shipment_id == shipments.c.id, consignee.c.role == "consignee"),
            )
            .outerjoin(
                line_items,
                and_(line_items.c.shipment_id == shipments.c.id, line_items.c.line_no == 1),
            )
        )
        .where(shipments.c.is_current, shipments.c.status == "active")
        .group_by(
            shipments.c.country_of_export,
            filers.c.code,
            shipments.c.port_of_arrival,
            destination,
            chapter,
        )
        .limit(MAX_CELLS + 1)
    )
    if filters.since is not None:
        query = query.where(shipments.c.estimated_arrival >= moment(filters.since))
    if filters.until is not None:
        query = query.where(shipments.c.estimated_arrival < moment(filters.until))
    if filters.mode:
        query = query.where(shipments.c.mode == filters.mode)
    if filters.min_risk is not None:
        query = query.where(score >= filters.min_risk)
    rows = connection.execute(query).all()
    if len(rows) > MAX_CELLS:
        raise FlowError(f"more than {MAX_CELLS} flow cells: narrow the period or filters")
    out = [_cell(row) for row in rows]
    if filters.hs_section:
        out = [c for c in out if c.hs_section == filters.hs_section]
    return out


def _cell(row: Any) -> Cell:
    origin, filer, port, destination, chapter, n, value, risk = row
    return Cell(
        str(origin),
        str(filer),
        str(port),
        str(destination),
        hs_section(chapter),
        int(n),
        float(value or 0),
        float(risk or 0),
    )


def links(found: Sequence[Cell], by: Weight, top: int = 12) -> list[Link]:
    """Links between consecutive stages, summed over cells. Each stage keeps its
    ``top`` nodes by weight and folds the rest into ``other`` so the diagram
    stays readable; the weights still add up to the whole."""
    keep: list[set[str]] = []
    for stage_name in STAGES:
        totals: dict[str, float] = {}
        for c in found:
            key = getattr(c, stage_name)
            totals[key] = totals.get(key, 0.0) + c.weight(by)
        keep.append(set(sorted(totals, key=lambda k: (-totals[k], k))[:top]))
    summed: dict[tuple[int, str, str], float] = {}
    for c in found:
        names = [
            getattr(c, s) if getattr(c, s) in keep[i] else "other" for i, s in enumerate(STAGES)
        ]
        for stage in range(len(STAGES) - 1):
            key = (stage, names[stage], names[stage + 1])
            summed[key] = summed.get(key, 0.0) + c.weight(by)
    return [Link(s, a, b, w) for (s, a, b), w in sorted(summed.items()) if w > 0]


def by_origin(found: Sequence[Cell], by: Weight) -> dict[str, float]:
    """Weight per origin country (ISO alpha-2), for the map."""
    totals: dict[str, float] = {}
    for c in found:
        totals[c.origin] = totals.get(c.origin, 0.0) + c.weight(by)
    return totals


def weight_of(text: str) -> Weight:
    if text not in WEIGHTS:
        raise FlowError(f"by: {text!r} is not one of {', '.join(WEIGHTS)}")
    return text
