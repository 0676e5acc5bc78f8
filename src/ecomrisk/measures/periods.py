"""Periods of a measure: calendar days, ISO weeks (Monday first) or months, in UTC.
Pure.

Measures are aggregated in SQL per period with the bounds as parameters, so the
same statements run on SQLite and PostgreSQL without date functions of either."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

Grain = Literal["day", "week", "month"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month")
MAX_PERIODS = 400  # a dashboard or export of more periods than this is refused


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    """Days ``since`` (inclusive) to ``until`` (exclusive)."""

    since: date
    until: date

    @property
    def label(self) -> str:
        return self.since.isoformat()

    @property
    def start(self) -> datetime:
        return moment(self.since)

    @property
    def end(self) -> datetime:
        return moment(self.until)

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def grain_of(text: str) -> Grain:
    if text not in GRAINS:
        raise PeriodError(f"grain: {text!r} is not one of {', '.join(GRAINS)}")
    return text


def start_of(day: date, grain: Grain) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(start: date, grain: Grain) -> date:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def spans(since: date, until: date, grain: Grain) -> list[Span]:
    """The periods of ``grain`` covering [since, until), the first and last cut to it."""
    if until <= since:
        raise PeriodError(f"to: {until} must come after from: {since}")
    out = []
    start = start_of(since, grain)
    while start < until:
        stop = next_start(start, grain)
        out.append(Span(max(start, since), min(stop, until)))
        if len(out) > MAX_PERIODS:
            raise PeriodError(f"from/to: more than {MAX_PERIODS} {grain}s; choose a coarser grain")
        start = stop
    return out
