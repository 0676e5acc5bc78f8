"""Targeting strategies compared week by week on a synthetic flow. Pure.

Each strategy inspects the same capacity share of every customs day with the
product's selection (:func:`ecomrisk.targeting.selection.select`), sees only the
results of what it inspected, and (if it has a model) retrains every week on
those outcomes with the product's training (:func:`ecomrisk.risk.model.training.train`,
random and exploration outcomes weighted by 1/inclusion probability). Selection
bias is the point: a strategy that only exploits its model never learns about
what its model never picked, such as a scheme that starts mid-period.

The first ``burn_in_weeks`` are the agency's past, the same for every strategy:
the old rules plus the random sample. Results of a week are known at its end.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np

from ecomrisk.domain.enums import ExamType
from ecomrisk.features.catalogue import COUNT_UP_TO
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.dataset import Example
from ecomrisk.risk.model.training import TrainingError, train
from ecomrisk.targeting.selection import (
    COVERING_REASONS,
    EXPLORED_WINDOW_DAYS,
    Candidate,
    Reason,
    segment_of,
    select,
)
from ecomrisk.targeting.simulated_flow import Flow

Scorer = Literal["model", "rules", "none"]
COVERING = COVERING_REASONS
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class Strategy:
    name: str
    scorer: Scorer  # what orders the score picks
    random_rate: float  # inclusion probability of the random compliance sample
    exploration_share: float  # share of capacity kept for exploration
    description: str
    by_segment: bool = False  # exploration steered to segments examined least (the product's)


def strategies(capacity_share: float, random_rate: float = 0.005) -> tuple[Strategy, ...]:
    """The compared strategies; ``random`` spends the whole capacity on the sample."""
    return (
        Strategy(
            "default",
            "model",
            random_rate,
            0.10,
            "model score + random sample + 10 % exploration, most in segments examined "
            "least (the product's default)",
            by_segment=True,
        ),
        Strategy(
            "uncertainty",
            "model",
            random_rate,
            0.10,
            "model score + random sample + 10 % exploration by uncertainty alone",
        ),
        Strategy("exploitation", "model", 0.0, 0.0, "model score only: the top of the ranking"),
        Strategy("rules", "rules", 0.0, 0.0, "the old targeting rules only, no learning"),
        Strategy("random", "none", capacity_share, 0.0, "random sample only"),
    )


@dataclass
class WeekFigures:
    week: int
    inspected: int = 0
    violations: int = 0
    revenue: float = 0.0
    new_scheme_shipments: int = 0
    new_scheme_found: int = 0
    model_trained: bool = False

    @property
    def precision(self) -> float:
        return self.violations / self.inspected if self.inspected else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "inspected": self.inspected,
            "violations": self.violations,
            "precision": round(self.precision, 4),
            "revenue": round(self.revenue, 2),
            "new_scheme_shipments": self.new_scheme_shipments,
            "new_scheme_found": self.new_scheme_found,
            "model_trained": self.model_trained,
        }


@dataclass
class _State:
    """What one strategy knows: its outcomes, its model, its violation counts by shipper."""

    strategy: Strategy
    examples: list[Example] = field(default_factory=list)
    model: TrainedModel | None = None
    violations_by_shipper: dict[str, int] = field(default_factory=dict)
    weeks: list[WeekFigures] = field(default_factory=list)
    exams_by_day: list[list[str]] = field(default_factory=list)  # segments targeted, per day

    def explored(self, day: int) -> dict[str, int]:
        """Targeted exams per segment in the window before ``day`` (as the product counts)."""
        counts: dict[str, int] = {}
        for segments in self.exams_by_day[max(0, day - EXPLORED_WINDOW_DAYS) : day]:
            for segment in segments:
                counts[segment] = counts.get(segment, 0) + 1
        return counts


@dataclass(frozen=True)
class Settings:
    capacity_share: float = 0.03
    burn_in_weeks: int = 2
    seed: int = 0


def shipper_history_counts(shippers: Sequence[str]) -> np.ndarray:
    """Shipments from the same shipper before each one (the flow is in filing order),
    up to COUNT_UP_TO as the product's feature counts them."""
    seen: dict[str, int] = {}
    counts = np.zeros(len(shippers), dtype=np.int64)
    for i, shipper in enumerate(shippers):
        counts[i] = seen.get(shipper, 0)
        seen[shipper] = counts[i] + 1
    return np.minimum(counts, COUNT_UP_TO)


def _features(flow: Flow, history: np.ndarray, state: _State, i: int) -> dict[str, Any]:
    # As at filing: the shipper's past filings, and the violations this strategy's
    # own exams found on it so far (what another strategy found is not known here).
    return {
        **flow.features[i],
        "shipper_history_count": int(history[i]),
        "shipper_violations_365d": state.violations_by_shipper.get(flow.shipper[i], 0),
    }


def _scores(
    scorer: Scorer, model: TrainedModel | None, flow: Flow, rows: list[dict[str, Any]], at: Any
) -> tuple[np.ndarray, np.ndarray]:
    """(probability, revenue at risk) per row, as selection values them."""
    if scorer == "model" and model is not None:
        return model.probability(rows), model.revenue_given_violation(rows)
    if scorer == "none":
        return np.zeros(len(rows)), np.zeros(len(rows))
    # The old rules: their weight orders the picks; scaled to (0, 1] to read as a score.
    weight = flow.rule_weight[at]
    return weight / weight.max(), np.ones(len(rows))


def _retrain(state: _State, seed: int) -> bool:
    try:
        # Weekly retraining of a set-up already measured: the newest outcomes are fitted
        # (no test slice), or a scheme found this week would reach the trees weeks later.
        state.model, _details = train(state.examples, seed=seed, test_slice=False)
    except TrainingError:
        return False  # too few outcomes of each kind yet: keep the model it had
    return True


def _segment(row: dict[str, Any]) -> str:
    # The product keys segments by the first item's HS code; its chapter is what counts.
    return segment_of(row.get("hs_chapter"), row.get("country_of_export"))


def _inspect_day(
    strategy: Strategy,
    model: TrainedModel | None,
    flow: Flow,
    rows: list[dict[str, Any]],
    at: np.ndarray,
    rng: np.random.Generator,
    capacity_share: float,
    explored: dict[str, int] | None,
) -> list[tuple[int, Reason, float]]:
    """(flow index, reason, inclusion probability) of each shipment examined that day."""
    probability, revenue = _scores(strategy.scorer, model, flow, rows, at)
    candidates = [
        Candidate(
            int(i),
            float(p),
            float(r),
            required_exam=ExamType.PHYSICAL,
            random_rate=strategy.random_rate,
            stratum=str(row["mode"]),
            segment=_segment(row),
        )
        for i, p, r, row in zip(at, probability, revenue, rows, strict=True)
    ]
    capacity = {ExamType.PHYSICAL: round(capacity_share * len(at))}
    plan = select(
        candidates,
        capacity,
        strategy.exploration_share,
        rng,
        explored if strategy.by_segment else None,
    )
    return [(p.candidate.shipment_id, p.reason, p.inclusion_probability) for p in plan.picks]


def simulate(
    flow: Flow,
    start: datetime,
    new_scheme: str,
    settings: Settings,
    chosen: Sequence[Strategy] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every strategy over the flow; figures per strategy and week (JSON-ready)."""
    chosen = chosen or strategies(settings.capacity_share)
    history = shipper_history_counts(flow.shipper)
    weeks = int(flow.day.max()) // DAYS_PER_WEEK + 1
    states = [_State(s) for s in chosen]
    past = Strategy("past", "rules", strategies(settings.capacity_share)[0].random_rate, 0.0, "")
    steps, done = weeks * len(states), 0
    for week in range(weeks):
        for index, state in enumerate(states):
            in_burn_in = week < settings.burn_in_weeks
            figures = WeekFigures(week)
            if not in_burn_in and state.strategy.scorer == "model":
                figures.model_trained = _retrain(state, settings.seed)
            found_this_week: list[str] = []
            for day in range(week * DAYS_PER_WEEK, (week + 1) * DAYS_PER_WEEK):
                at = np.flatnonzero(flow.day == day)
                if len(at) == 0:
                    continue
                rows = [_features(flow, history, state, int(i)) for i in at]
                strategy = past if in_burn_in else state.strategy
                # The past is one: every strategy starts from the same burn-in exams.
                rng = np.random.default_rng([settings.seed, 0 if in_burn_in else index + 1, day])
                picks = _inspect_day(
                    strategy,
                    state.model,
                    flow,
                    rows,
                    at,
                    rng,
                    settings.capacity_share,
                    state.explored(day),
                )
                row_of = {int(i): row for i, row in zip(at, rows, strict=True)}
                while len(state.exams_by_day) <= day:
                    state.exams_by_day.append([])
                state.exams_by_day[day] = [
                    _segment(row_of[i]) for i, reason, _p in picks if reason in COVERING
                ]
                for i, reason, pi in picks:
                    violation = bool(flow.found[i])
                    moment = start + timedelta(days=int(flow.day[i]))
                    state.examples.append(
                        Example(
                            sid=i,
                            received_at=moment,
                            examined_at=moment + timedelta(days=1),
                            features=row_of[i],
                            violation=violation,
                            revenue=float(flow.revenue[i]),
                            selection=reason.value,
                            inclusion_probability=pi if reason is not Reason.SCORE else None,
                        )
                    )
                    figures.inspected += 1
                    if violation:
                        figures.violations += 1
                        figures.revenue += float(flow.revenue[i])
                        found_this_week.append(flow.shipper[i])
                        figures.new_scheme_found += flow.scheme[i] == new_scheme
                figures.new_scheme_shipments += sum(flow.scheme[int(i)] == new_scheme for i in at)
            for shipper in found_this_week:  # known from the end of the week on
                state.violations_by_shipper[shipper] = (
                    state.violations_by_shipper.get(shipper, 0) + 1
                )
            state.weeks.append(figures)
            done += 1
            if progress is not None:
                progress(done, steps)
    return _report(states, settings, new_scheme)


def _report(states: list[_State], settings: Settings, new_scheme: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "settings": {
            "capacity_share": settings.capacity_share,
            "burn_in_weeks": settings.burn_in_weeks,
            "seed": settings.seed,
            "new_scheme": new_scheme,
        },
        "strategies": {},
    }
    for state in states:
        scored = [w for w in state.weeks if w.week >= settings.burn_in_weeks]
        inspected = sum(w.inspected for w in scored)
        violations = sum(w.violations for w in scored)
        new_total = sum(w.new_scheme_shipments for w in scored)
        caught = [w.week for w in scored if w.new_scheme_found > 0]
        result["strategies"][state.strategy.name] = {
            "description": state.strategy.description,
            "weeks": [w.to_json() for w in state.weeks],
            "total": {
                "inspected": inspected,
                "violations": violations,
                "precision": round(violations / inspected, 4) if inspected else 0.0,
                "revenue": round(sum(w.revenue for w in scored), 2),
                "new_scheme_shipments": new_total,
                "new_scheme_found": sum(w.new_scheme_found for w in scored),
                "new_scheme_first_week_found": caught[0] if caught else None,
            },
        }
    return result
