"""Selection runs in the store: the candidates of one facility and customs day
(current versions arriving that day, with their latest live decision), the
stored selection, and reading it back for the officer queue."""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, select
from sqlalchemy.exc import IntegrityError

from ecomrisk import audit
from ecomrisk.compliance import designs_repo
from ecomrisk.compliance.strata import Unit, stratum_of
from ecomrisk.domain.enums import FindingType, Lane, SelectionKind
from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.risk import rulesets_repo
from ecomrisk.settings import Settings
from ecomrisk.store.schema import (
    decisions,
    line_items,
    selection_runs,
    selections,
    shipments,
    watchlists,
)
from ecomrisk.targeting import trusted_repo
from ecomrisk.targeting.facilities_repo import Facility
from ecomrisk.targeting.sampling import random_rate
from ecomrisk.targeting.selection import (
    COVERING_REASONS,
    EXPLORED_WINDOW_DAYS,
    Candidate,
    Plan,
    segment_of,
)
from ecomrisk.targeting.selection import select as select_plan
from ecomrisk.targeting.valuation import REQUIRED_EXAM, value_shipment

# A screening hit on a list of this kind points to this enforcement priority.
LIST_PRIORITIES = {"uflpa": FindingType.FORCED_LABOUR.value}


class SelectionError(ValueError):
    """A selection that cannot be made or read; the message says why."""


def day_window(day: date, profile: JurisdictionProfile) -> tuple[datetime, datetime]:
    """The customs day ``day`` in UTC, counted in the profile's offset."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(
        hours=profile.customs_day_utc_offset_hours
    )
    return start, start + timedelta(days=1)


@dataclass
class _Suspicions:
    """Finding types each rule and watch list points to, read once per run."""

    connection: Connection
    rules: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    lists: dict[str, str] | None = None

    def of(self, ruleset: str | None, reasons: Sequence[Mapping[str, Any]]) -> set[str]:
        if self.lists is None:
            rows = self.connection.execute(select(watchlists.c.name, watchlists.c.kind))
            self.lists = {str(name): str(kind) for name, kind in rows}
        found: set[str] = set()
        if ruleset and ruleset not in self.rules:
            try:
                loaded = rulesets_repo.load(self.connection, ruleset)
                self.rules[ruleset] = {r.id: [s.value for s in r.suspected] for r in loaded.rules}
            except rulesets_repo.RulesetError:
                self.rules[ruleset] = {}
        for reason in reasons:
            if reason.get("kind") == "rule" and ruleset:
                found.update(self.rules[ruleset].get(str(reason.get("code")), []))
            elif reason.get("kind") == "screening":
                kind = self.lists.get(str(reason.get("code", "")).split(":", 1)[0], "")
                if kind in LIST_PRIORITIES:
                    found.add(LIST_PRIORITIES[kind])
        return found


def candidates(
    connection: Connection,
    facility: Facility,
    day: date,
    profile: JurisdictionProfile,
    settings: Settings,
) -> list[Candidate]:
    """Every current, active shipment version arriving at ``facility`` on ``day``."""
    start, end = day_window(day, profile)
    own = decisions.alias("own")
    latest = (
        select(func.max(own.c.id))
        .where(own.c.shipment_id == shipments.c.id, own.c.kind == "live")
        .correlate(shipments)
        .scalar_subquery()
    )
    rows = connection.execute(
        select(
            shipments.c.id,
            shipments.c.mode,
            shipments.c.country_of_export,
            line_items.c.hs_code,
            trusted_repo.trusted_clause(day).label("trusted"),
            decisions.c.id.label("decision_id"),
            decisions.c.score,
            decisions.c.lane,
            decisions.c.features,
            decisions.c.reasons,
            decisions.c.ruleset,
        )
        .outerjoin(
            line_items, and_(line_items.c.shipment_id == shipments.c.id, line_items.c.line_no == 1)
        )
        .outerjoin(decisions, decisions.c.id == latest)
        .where(
            shipments.c.is_current,
            shipments.c.status == "active",
            shipments.c.port_of_arrival == facility.code,
            shipments.c.estimated_arrival >= start,
            shipments.c.estimated_arrival < end,
        )
        .order_by(shipments.c.id)
    ).all()
    design = designs_repo.latest(connection)
    suspicions = _Suspicions(connection)
    sampling = profile.sampling
    out = []
    for row in rows:
        features = row.features or {}
        lane = Lane(row.lane) if row.lane else Lane.RELEASE
        valuation = value_shipment(
            features,
            float(row.score or 0.0),
            suspicions.of(row.ruleset, row.reasons or []),
            settings.targeting_priority_weights,
            settings.targeting_duty_rate,
        )
        unit = Unit(row.mode, row.country_of_export, row.hs_code, bool(row.trusted))
        stratum = stratum_of(unit, design.by if design else designs_repo.DEFAULT_BY)
        screening = float(features.get("screening_max_score") or 0.0)
        out.append(
            Candidate(
                shipment_id=int(row.id),
                probability=valuation.probability,
                revenue_at_risk=valuation.revenue_at_risk,
                priority_weight=valuation.priority_weight,
                required_exam=REQUIRED_EXAM[lane],
                forced=lane is Lane.HOLD or screening >= settings.targeting_forced_match_score,
                random_rate=random_rate(
                    unit.trusted,
                    design.rate(stratum) if design else 0.0,
                    sampling.min_random_rate,
                    sampling.trusted_random_rate,
                ),
                stratum=stratum,
                decision_id=row.decision_id,
                segment=segment_of(row.hs_code, row.country_of_export),
            )
        )
    return out


def explored_by_segment(connection: Connection, day: date) -> dict[str, int]:
    """Shipments targeting selected (``COVERING_REASONS``) per segment in the
    ``EXPLORED_WINDOW_DAYS`` before ``day``, at every facility (where the agency looks
    is national)."""
    first = (day - timedelta(days=EXPLORED_WINDOW_DAYS)).isoformat()
    rows = connection.execute(
        select(line_items.c.hs_code, shipments.c.country_of_export, func.count())
        .select_from(selections)
        .join(selection_runs, selection_runs.c.id == selections.c.run_id)
        .join(shipments, shipments.c.id == selections.c.shipment_id)
        .outerjoin(
            line_items, and_(line_items.c.shipment_id == shipments.c.id, line_items.c.line_no == 1)
        )
        .where(
            selection_runs.c.day >= first,
            selection_runs.c.day < day.isoformat(),
            selections.c.reason.in_(sorted(COVERING_REASONS)),
        )
        .group_by(line_items.c.hs_code, shipments.c.country_of_export)
    )
    counts: dict[str, int] = {}
    for hs_code, country, n in rows:
        key = segment_of(hs_code, country)
        counts[key] = counts.get(key, 0) + int(n)
    return counts


@dataclass(frozen=True)
class RunResult:
    run_id: int
    facility: str
    day: date
    candidates: int
    plan: Plan
    seed: int


def run(
    connection: Connection,
    facility: Facility,
    day: date,
    profile: JurisdictionProfile,
    settings: Settings,
    *,
    actor: str,
    seed: int | None = None,
) -> RunResult:
    """Select for one facility and customs day and store it, once: a second run for
    the same day is refused, so the random sample cannot be redrawn until it suits."""
    if existing_run(connection, facility.id, day) is not None:
        raise SelectionError(
            f"{facility.code} on {day}: selected already (run it for another day, or read it "
            "with `ecomrisk targeting show`)"
        )
    if not facility.active:
        raise SelectionError(f"facility {facility.code} is inactive")
    seed = secrets.randbits(32) if seed is None else seed
    pool = candidates(connection, facility, day, profile, settings)
    explored = explored_by_segment(connection, day)
    plan = select_plan(
        pool,
        facility.capacity,
        profile.sampling.exploration_share,
        np.random.default_rng(seed),
        explored,
    )
    used = plan.used()
    summary = {
        "candidates": len(pool),
        "selected": len(plan.picks),
        "by_reason": _count(p.reason.value for p in plan.picks),
        "by_exam": {exam.value: n for exam, n in used.items()},
        "overflow": [c.shipment_id for c in plan.overflow],
        "random_scale": plan.random_scale,
    }
    parameters = {
        "capacity": {exam.value: n for exam, n in facility.capacity.items()},
        "profile": profile.id,
        "min_random_rate": profile.sampling.min_random_rate,
        "trusted_random_rate": profile.sampling.trusted_random_rate,
        "exploration_share": profile.sampling.exploration_share,
        "exploration_segments": {
            "by": "hs_chapter x country_of_export",
            "window_days": EXPLORED_WINDOW_DAYS,
            "segments_with_exams": len(explored),
        },
        "design": designs_repo.latest_id(connection),
        "priority_weights": settings.targeting_priority_weights,
        "duty_rate": settings.targeting_duty_rate,
        "seed": seed,
    }
    try:
        run_id = connection.execute(
            selection_runs.insert()
            .values(
                facility_id=facility.id,
                day=day.isoformat(),
                created_at=datetime.now(UTC),
                created_by=actor,
                parameters=parameters,
                summary=summary,
            )
            .returning(selection_runs.c.id)
        ).scalar_one()
    except IntegrityError:
        raise SelectionError(f"{facility.code} on {day}: selected already") from None
    if plan.picks:
        connection.execute(
            selections.insert(),
            [
                {
                    "run_id": run_id,
                    "shipment_id": p.candidate.shipment_id,
                    "decision_id": p.candidate.decision_id,
                    "exam_type": p.exam_type.value,
                    "reason": p.reason.value,
                    "inclusion_probability": p.inclusion_probability,
                    "rank": rank,
                    "probability": p.candidate.probability,
                    "revenue_at_risk": p.candidate.revenue_at_risk,
                    "expected_value": p.candidate.expected_value,
                    "stratum": p.candidate.stratum,
                }
                for rank, p in enumerate(plan.picks, start=1)
            ],
        )
    audit.record(
        connection,
        actor=actor,
        action="selection.run",
        entity="facility",
        entity_id=facility.code,
        after={"day": day.isoformat(), **summary},
    )
    return RunResult(int(run_id), facility.code, day, len(pool), plan, seed)


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def existing_run(connection: Connection, facility_id: int, day: date) -> Any:
    return connection.execute(
        select(selection_runs).where(
            selection_runs.c.facility_id == facility_id, selection_runs.c.day == day.isoformat()
        )
    ).one_or_none()


def read(connection: Connection, facility: Facility, day: date) -> dict[str, Any]:
    """A stored selection as the officer queue shows it: the run and its picks in order."""
    found = existing_run(connection, facility.id, day)
    if found is None:
        raise SelectionError(f"no selection for {facility.code} on {day}")
    rows = connection.execute(
        select(
            selections,
            shipments.c.filer_reference,
            shipments.c.house_bill,
            shipments.c.mode,
            decisions.c.lane,
            decisions.c.score,
        )
        .join(shipments, shipments.c.id == selections.c.shipment_id)
        .outerjoin(decisions, decisions.c.id == selections.c.decision_id)
        .where(selections.c.run_id == found.id)
        .order_by(selections.c.rank)
    ).all()
    return {
        "facility": facility.code,
        "day": found.day,
        "created_at": found.created_at.isoformat(),
        "created_by": found.created_by,
        "summary": found.summary,
        "parameters": found.parameters,
        "selections": [
            {
                "rank": r.rank,
                "shipment_version_id": r.shipment_id,
                "decision_id": r.decision_id,
                "filer_reference": r.filer_reference,
                "house_bill": r.house_bill,
                "mode": r.mode,
                "lane": r.lane,
                "exam_type": r.exam_type,
                "reason": r.reason,
                "inclusion_probability": r.inclusion_probability,
                "probability": r.probability,
                "revenue_at_risk": r.revenue_at_risk,
                "expected_value": r.expected_value,
                "stratum": r.stratum,
            }
            for r in rows
        ],
    }


# How an outcome records each reason (``Outcome.selection``).
OUTCOME_SELECTION = {
    "forced": SelectionKind.FORCED,
    "random": SelectionKind.RANDOM,
    "score": SelectionKind.TARGETED,
    "exploration": SelectionKind.EXPLORATION,
}


def selection_of(connection: Connection, shipment_id: int) -> tuple[SelectionKind, float] | None:
    """Why a shipment version was selected and with what probability, as the
    outcome of its exam should record them; None if it was never selected."""
    row = connection.execute(
        select(selections.c.reason, selections.c.inclusion_probability)
        .where(selections.c.shipment_id == shipment_id)
        .order_by(selections.c.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return OUTCOME_SELECTION[row.reason], float(row.inclusion_probability)
