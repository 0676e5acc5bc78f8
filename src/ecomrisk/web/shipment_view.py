"""Everything the shipment page shows, read in one place from the store."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ecomrisk.enforcement import cases_repo
from ecomrisk.enforcement.lifecycle import Deadlines
from ecomrisk.reference import ipr
from ecomrisk.store.claims_repo import claimant
from ecomrisk.store.schema import (
    decisions,
    filers,
    findings,
    outcomes,
    parties,
    screening_hits,
    shipments,
    watchlist_entries,
    watchlist_versions,
    watchlists,
)

# Reason kinds that come from components still being built (issues 6 and 7): the
# page shows their section only when a decision carries such reasons.
LATER_PANELS = {"model": "Model", "network": "Network"}


@dataclass
class ShipmentPage:
    current: Any  # the current version's shipments row
    requested_sid: int
    filer_code: str
    versions: list[Any]
    decision: Any | None
    shadow_decisions: list[Any]
    hits: list[Any]
    outcomes: list[tuple[Any, list[Any]]]  # outcome row, its finding rows
    links: dict[int, ipr.FindingLink]
    cases: list[cases_repo.CaseView]
    claimed_by: str | None
    recordations: list[ipr.Recordation]  # active ones, matching the goods' brands first
    panels: dict[str, list[Any]] = field(default_factory=dict)  # later panels with data

    @property
    def filing(self) -> dict[str, Any]:
        return dict(self.current.filing)


def _decisions(connection: Connection, sid: int) -> tuple[Any | None, list[Any]]:
    rows = connection.execute(
        select(decisions).where(decisions.c.shipment_id == sid).order_by(decisions.c.id.desc())
    ).all()
    live = next((r for r in rows if r.kind == "live"), None)
    shadows: dict[str, Any] = {}
    for row in rows:
        if row.kind == "shadow" and row.ruleset not in shadows:
            shadows[row.ruleset] = row
    return live, list(shadows.values())


def _recordations(connection: Connection, brands: list[str]) -> list[ipr.Recordation]:
    """Active recordations, those whose trademark is a brand of the goods first."""
    matching = ipr.matching_recordations(connection, brands)
    others, _ = ipr.list_recordations(connection, active_only=True)
    seen = {r.id for r in matching}
    return matching + [r for r in others if r.id not in seen]


def load(connection: Connection, sid: int, periods: Deadlines) -> ShipmentPage | None:
    """The page of the filing that version ``sid`` belongs to (shown at its current version)."""
    asked = connection.execute(
        select(shipments.c.filer_id, shipments.c.filer_reference).where(shipments.c.id == sid)
    ).one_or_none()
    if asked is None:
        return None
    versions = connection.execute(
        select(shipments)
        .where(
            shipments.c.filer_id == asked.filer_id,
            shipments.c.filer_reference == asked.filer_reference,
        )
        .order_by(shipments.c.version)
    ).all()
    current = next(v for v in versions if v.is_current)
    filer_code = connection.execute(
        select(filers.c.code).where(filers.c.id == current.filer_id)
    ).scalar_one()
    decision, shadows = _decisions(connection, current.id)
    hits = connection.execute(
        select(
            parties.c.role,
            parties.c.name,
            screening_hits.c.matched_name,
            screening_hits.c.score,
            screening_hits.c.algorithm,
            screening_hits.c.explanation,
            watchlists.c.name.label("list_name"),
            watchlist_versions.c.version.label("list_version"),
            watchlist_entries.c.entry_key,
        )
        .join(parties, parties.c.id == screening_hits.c.party_id)
        .join(watchlist_entries, watchlist_entries.c.id == screening_hits.c.entry_id)
        .join(watchlist_versions, watchlist_versions.c.id == screening_hits.c.version_id)
        .join(watchlists, watchlists.c.id == watchlist_versions.c.watchlist_id)
        .where(parties.c.shipment_id == current.id)
        .order_by(screening_hits.c.score.desc())
    ).all()
    version_ids = [v.id for v in versions]
    outcome_rows = connection.execute(
        select(outcomes).where(outcomes.c.shipment_id.in_(version_ids)).order_by(outcomes.c.id)
    ).all()
    finding_rows = connection.execute(
        select(findings)
        .where(findings.c.outcome_id.in_([o.id for o in outcome_rows]))
        .order_by(findings.c.id)
    ).all()
    by_outcome = [(o, [f for f in finding_rows if f.outcome_id == o.id]) for o in outcome_rows]
    brands = [item.get("brand") or "" for item in current.filing.get("items", [])]
    panels: dict[str, list[Any]] = {}
    for reason in decision.reasons if decision is not None else []:
        if reason.get("kind") in LATER_PANELS:
            panels.setdefault(LATER_PANELS[reason["kind"]], []).append(reason)
    return ShipmentPage(
        current=current,
        requested_sid=sid,
        filer_code=filer_code,
        versions=list(versions),
        decision=decision,
        shadow_decisions=shadows,
        hits=list(hits),
        outcomes=by_outcome,
        links=ipr.links_of_shipment(connection, version_ids),
        cases=cases_repo.cases_of_shipment(
            connection, current.filer_id, current.filer_reference, periods
        ),
        claimed_by=claimant(connection, current.filer_id, current.filer_reference),
        recordations=_recordations(connection, brands),
        panels=panels,
    )
