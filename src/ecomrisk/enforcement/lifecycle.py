"""The enforcement case lifecycle and its deadlines. Pure: no I/O.

A case moves through status-changing steps (detain, seize, abandon, release,
forfeit, destroy) and records notices (of detention, of seizure) that have
deadlines. A deadline starts with one step and is met by others; one still
unmet after its due time is overdue.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Step(StrEnum):
    DETAIN = "detain"
    DETENTION_NOTICE = "detention_notice"
    SEIZE = "seize"
    SEIZURE_NOTICE = "seizure_notice"
    ABANDON = "abandon"
    RELEASE = "release"
    FORFEIT = "forfeit"
    DESTROY = "destroy"


# The status a step leaves the case in; notices leave it as it was.
STATUS_AFTER = {
    Step.DETAIN: "detained",
    Step.SEIZE: "seized",
    Step.ABANDON: "abandoned",
    Step.RELEASE: "released",
    Step.FORFEIT: "forfeited",
    Step.DESTROY: "destroyed",
}

# Steps allowed from each status (None: a case not opened yet).
ALLOWED: dict[str | None, tuple[Step, ...]] = {
    None: (Step.DETAIN, Step.SEIZE, Step.ABANDON),
    "detained": (Step.DETENTION_NOTICE, Step.RELEASE, Step.SEIZE, Step.ABANDON),
    "seized": (Step.SEIZURE_NOTICE, Step.FORFEIT, Step.RELEASE),
    "abandoned": (Step.DESTROY,),
    "forfeited": (Step.DESTROY,),
    "released": (),
    "destroyed": (),
}

LABELS = {
    Step.DETAIN: "Detain",
    Step.DETENTION_NOTICE: "Notice of detention sent",
    Step.SEIZE: "Seize",
    Step.SEIZURE_NOTICE: "Notice of seizure sent",
    Step.ABANDON: "Abandoned by the importer",
    Step.RELEASE: "Release",
    Step.FORFEIT: "Forfeit",
    Step.DESTROY: "Destroy",
}


class CaseError(ValueError):
    """A step that the case's status does not allow; the message says which are."""


@dataclass(frozen=True)
class DeadlineRule:
    name: str
    started_by: Step
    met_by: tuple[Step, ...]
    days: int
    business_days: bool


@dataclass(frozen=True)
class Deadlines:
    """The configurable periods (settings ``detention_notice_business_days`` ...)."""

    detention_notice_business_days: int = 5
    detention_decision_days: int = 30
    seizure_notice_days: int = 30

    def rules(self) -> list[DeadlineRule]:
        return [
            DeadlineRule(
                "notice of detention",
                Step.DETAIN,
                # Goods released or seized need no notice of detention any more.
                (Step.DETENTION_NOTICE, Step.RELEASE, Step.SEIZE),
                self.detention_notice_business_days,
                business_days=True,
            ),
            DeadlineRule(
                "release, seizure or abandonment of detained goods",
                Step.DETAIN,
                (Step.RELEASE, Step.SEIZE, Step.ABANDON),
                self.detention_decision_days,
                business_days=False,
            ),
            DeadlineRule(
                "notice of seizure",
                Step.SEIZE,
                (Step.SEIZURE_NOTICE, Step.RELEASE),
                self.seizure_notice_days,
                business_days=False,
            ),
        ]


@dataclass(frozen=True)
class StepRecord:
    step: Step
    at: datetime


@dataclass(frozen=True)
class DeadlineState:
    name: str
    due: datetime
    met_at: datetime | None
    overdue: bool  # unmet and past due, or met after it was due

    @property
    def open(self) -> bool:
        return self.met_at is None


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday; public holidays are
    not modelled), keeping the time of day."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def status_after(steps: Sequence[StepRecord]) -> str | None:
    status: str | None = None
    for record in steps:
        status = STATUS_AFTER.get(record.step, status)
    return status


def check_step(steps: Sequence[StepRecord], step: Step) -> str:
    """The status after ``step``, or CaseError when the current status forbids it."""
    status = status_after(steps)
    allowed = ALLOWED[status]
    if step in (Step.DETENTION_NOTICE, Step.SEIZURE_NOTICE) and any(s.step == step for s in steps):
        raise CaseError(f"step: {LABELS[step].lower()} is recorded already")
    if step not in allowed:
        names = ", ".join(s.value for s in allowed) or "none (the case is closed)"
        raise CaseError(f"step: {step.value} is not possible when {status}; possible: {names}")
    return STATUS_AFTER.get(step, status or "")


def deadlines(
    steps: Sequence[StepRecord], periods: Deadlines, now: datetime
) -> list[DeadlineState]:
    """Every deadline the steps started, with when (if) it was met and whether overdue."""
    states = []
    for rule in periods.rules():
        for index, record in enumerate(steps):
            if record.step != rule.started_by:
                continue
            if rule.business_days:
                due = add_business_days(record.at, rule.days)
            else:
                due = record.at + timedelta(days=rule.days)
            met = next((s.at for s in steps[index + 1 :] if s.step in rule.met_by), None)
            overdue = (met is None and now > due) or (met is not None and met > due)
            states.append(DeadlineState(rule.name, due, met, overdue))
    return sorted(states, key=lambda d: d.due)
