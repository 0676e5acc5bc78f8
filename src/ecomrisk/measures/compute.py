"""Measures from stored data, period by period: the queries of ``queries`` turned
into points (value, interval, count) by small pure functions. Compliance, the
random violation rate, hit rate and lift come from ``compliance.report``, the one
place that estimates them."""

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from ecomrisk.compliance import frame
from ecomrisk.compliance.estimators import proportion_interval
from ecomrisk.compliance.report import Report, compliance_report
from ecomrisk.compliance.strata import hs_section
from ecomrisk.measures import queries
from ecomrisk.measures.catalogue import measure
from ecomrisk.measures.periods import Span
from ecomrisk.reference.fx import RateTable

ALL = "all"  # the group of a measure's overall value


@dataclass(frozen=True)
class Point:
    measure: str
    period: str  # ISO date of the period's first day
    group: str  # ALL, or the breakdown's key (a mode, a filer, a finding ...)
    value: float | None  # None: not computable in the period (nothing to divide by)
    low: float | None = None
    high: float | None = None
    n: int = 0  # the units the value rests on
    note: str = ""


@dataclass(frozen=True)
class Context:
    """What computing needs besides the store: the profile's currency and FX rates
    (amounts are converted to it), the findings counted as major, strata and the
    confidence level of intervals."""

    currency: str
    rates: RateTable
    major_findings: frozenset[str]
    strata: tuple[str, ...] = ("mode", "region", "hs", "trusted")
    confidence: float = 0.95

    def convert(self, amount: Any, currency: str | None) -> float:
        if amount is None:
            return 0.0
        value = Decimal(str(amount))
        if currency in (None, self.currency):
            return float(value)
        return float(self.rates.convert(value, currency, self.currency))


def bounded(value: float, low: float, high: float) -> tuple[float, float]:
    """An interval that holds its estimate (floating point can leave 1.0 just outside)."""
    return min(low, value), max(high, value)


def share(name: str, span: Span, hits: int, total: int, confidence: float) -> Point:
    """A share with its interval: exact (Clopper-Pearson) for small counts, else Wilson."""
    if total == 0:
        return Point(name, span.label, ALL, None, n=0)
    found = proportion_interval(hits, total, confidence)
    low, high = bounded(found.estimate, found.low, found.high)
    return Point(name, span.label, ALL, found.estimate, low, high, total)


def grouped(name: str, span: Span, values: dict[str, float], n: dict[str, int]) -> list[Point]:
    """The overall sum first, then one point per group."""
    total = Point(name, span.label, ALL, float(sum(values.values())), n=sum(n.values()))
    return [total, *(Point(name, span.label, k, values[k], n=n[k]) for k in sorted(values))]


def _volume(by: str) -> Callable[[Connection, Span, Context], list[Point]]:
    def compute(connection: Connection, span: Span, context: Context) -> list[Point]:
        counts = dict(queries.volume(connection, span, by))
        return grouped(f"volume_by_{by}", span, {k: float(v) for k, v in counts.items()}, counts)

    return compute


def _advance(which: int) -> Callable[[Connection, Span, Context], list[Point]]:
    name = ("advance_before_arrival", "advance_within_deadline")[which]

    def compute(connection: Connection, span: Span, context: Context) -> list[Point]:
        total, before, on_time = queries.advance(connection, span)
        return [share(name, span, (before, on_time)[which], total, context.confidence)]

    return compute


def data_quality(connection: Connection, span: Span, context: Context) -> list[Point]:
    rows = queries.quality(connection, span)
    n = sum(count for _, count, _ in rows)
    overall = sum(total for _, _, total in rows) / n if n else None
    points = [Point("data_quality", span.label, ALL, overall, n=n)]
    points += [Point("data_quality", span.label, c, s / k, n=k) for c, k, s in sorted(rows)]
    return points


def exam_rate(connection: Connection, span: Span, context: Context) -> list[Point]:
    total, examined = queries.exams(connection, span)
    return [share("exam_rate", span, examined, total, context.confidence)]


def compliance_of(connection: Connection, span: Span, context: Context) -> Report:
    period = frame.Period(span.since, span.until)
    return compliance_report(
        frame.examined(connection, period, context.strata),
        frame.populations(connection, period, context.strata),
        major=context.major_findings,
        revenue_of=lambda exam: context.convert(exam.revenue, exam.currency),
        currency=context.currency,
        confidence=context.confidence,
    )


def sample_points(report: Report, span: Span, confidence: float) -> list[Point]:
    """Compliance, random violation rate, targeted hit rate and lift of one report."""
    label = span.label
    overall, lift = report.overall, report.lift
    if overall is None:
        note = "no usable random-sample exam"
        return [
            Point(name, label, ALL, None, n=0, note=note)
            for name in ("compliance_rate", "random_violation_rate", "lift")
        ] + [Point("targeted_hit_rate", label, ALL, None, n=0, note=note)]
    c = overall.compliance
    violation = c.complement()
    points = [
        Point("compliance_rate", label, ALL, c.estimate, c.low, c.high, c.n),
        Point(
            "random_violation_rate",
            label,
            ALL,
            violation.estimate,
            violation.low,
            violation.high,
            violation.n,
        ),
    ]
    if lift is None or lift.targeted_n == 0:
        points.append(Point("targeted_hit_rate", label, ALL, None, n=0, note="no targeted exam"))
        points.append(Point("lift", label, ALL, None, n=0, note="no targeted exam"))
        return points
    hits = round(lift.targeted_rate * lift.targeted_n)
    found = proportion_interval(hits, lift.targeted_n, confidence)
    low, high = bounded(lift.targeted_rate, found.low, found.high)
    points.append(
        Point("targeted_hit_rate", label, ALL, lift.targeted_rate, low, high, lift.targeted_n)
    )
    note = "" if lift.estimate is not None else "no targeted hit or no random violation"
    points.append(Point("lift", label, ALL, lift.estimate, lift.low, lift.high, c.n, note))
    return points


def _from_sample(name: str) -> Callable[[Connection, Span, Context], list[Point]]:
    def compute(connection: Connection, span: Span, context: Context) -> list[Point]:
        report = compliance_of(connection, span, context)
        return [p for p in sample_points(report, span, context.confidence) if p.measure == name]

    return compute


def seizure_totals(
    rows: Iterable[tuple[int, str | None, Any, str | None]], context: Context
) -> tuple[dict[str, int], dict[str, float], int, float]:
    """Seizure counts and MSRP by finding (each seizure once per finding type), and the
    overall count and MSRP (each seizure once)."""
    counts: dict[str, int] = {}
    msrp: dict[str, float] = {}
    seen: dict[int, float] = {}
    pairs: set[tuple[int, str]] = set()
    for outcome_id, finding, amount, currency in rows:
        value = context.convert(amount, currency)
        seen[outcome_id] = value
        key = finding or "none"
        if (outcome_id, key) in pairs:
            continue
        pairs.add((outcome_id, key))
        counts[key] = counts.get(key, 0) + 1
        msrp[key] = msrp.get(key, 0.0) + value
    return counts, msrp, len(seen), sum(seen.values())


def _seizures(money: bool) -> Callable[[Connection, Span, Context], list[Point]]:
    name = "seized_msrp" if money else "seizures"

    def compute(connection: Connection, span: Span, context: Context) -> list[Point]:
        counts, msrp, total, total_msrp = seizure_totals(
            queries.seizures(connection, span), context
        )
        values = msrp if money else {k: float(v) for k, v in counts.items()}
        overall = total_msrp if money else float(total)
        rest = [Point(name, span.label, k, values[k], n=counts[k]) for k in sorted(values)]
        return [Point(name, span.label, ALL, overall, n=total), *rest]

    return compute


def ipr_seizures(connection: Connection, span: Span, context: Context) -> list[Point]:
    counts: dict[str, int] = {}
    for code, n in queries.ipr_seizures(connection, span):
        section = hs_section(code)
        counts[section] = counts.get(section, 0) + n
    return grouped("ipr_seizures", span, {k: float(v) for k, v in counts.items()}, counts)


def revenue_recovered(connection: Connection, span: Span, context: Context) -> list[Point]:
    rows = queries.revenue(connection, span)
    total = sum(context.convert(amount, currency) for currency, amount in rows)
    return [Point("revenue_recovered", span.label, ALL, total, n=len(rows))]


def hours_between(pairs: Sequence[tuple[datetime, datetime]]) -> list[float]:
    """Hours from arrival to release; a release before the estimated arrival counts 0."""
    return [max(0.0, (released - arrival).total_seconds() / 3600) for arrival, released in pairs]


def release_hours(connection: Connection, span: Span, context: Context) -> list[Point]:
    hours = hours_between(queries.releases(connection, span))
    if not hours:
        return [Point("release_hours", span.label, ALL, None, n=0)]
    quantiles = (
        statistics.quantiles(hours, n=10, method="inclusive") if len(hours) > 1 else [hours[0]] * 9
    )
    return [
        Point(
            "release_hours",
            span.label,
            ALL,
            statistics.median(hours),
            quantiles[0],  # the 10th and 90th percentiles: a spread, not an interval
            quantiles[-1],
            len(hours),
            "low/high: 10th and 90th percentiles",
        )
    ]


def trusted_share(connection: Connection, span: Span, context: Context) -> list[Point]:
    total, moved = queries.trusted(connection, span)
    return [share("trusted_share", span, moved, total, context.confidence)]


def public_reports(connection: Connection, span: Span, context: Context) -> list[Point]:
    counts = dict(queries.public_reports(connection, span))
    return grouped("public_reports", span, {k: float(v) for k, v in counts.items()}, counts)


COMPUTE: dict[str, Callable[[Connection, Span, Context], list[Point]]] = {
    "volume_by_mode": _volume("mode"),
    "volume_by_port": _volume("port"),
    "volume_by_filer": _volume("filer"),
    "advance_before_arrival": _advance(0),
    "advance_within_deadline": _advance(1),
    "data_quality": data_quality,
    "exam_rate": exam_rate,
    "targeted_hit_rate": _from_sample("targeted_hit_rate"),
    "random_violation_rate": _from_sample("random_violation_rate"),
    "lift": _from_sample("lift"),
    "seizures": _seizures(money=False),
    "ipr_seizures": ipr_seizures,
    "seized_msrp": _seizures(money=True),
    "revenue_recovered": revenue_recovered,
    "compliance_rate": _from_sample("compliance_rate"),
    "release_hours": release_hours,
    "trusted_share": trusted_share,
    "public_reports": public_reports,
}
SAMPLE_MEASURES = ("compliance_rate", "random_violation_rate", "targeted_hit_rate", "lift")


def series(
    connection: Connection,
    names: Sequence[str],
    periods: Sequence[Span],
    context: Context,
    progress: Callable[[int, int], None] | None = None,
) -> list[Point]:
    """Every named measure in every period, in the order asked. The random-sample
    measures share one compliance report per period."""
    for name in names:
        measure(name)  # an unknown name fails before any query runs
    out: list[Point] = []
    for done, span in enumerate(periods, start=1):
        sample: list[Point] | None = None
        for name in names:
            if name in SAMPLE_MEASURES:
                if sample is None:
                    report = compliance_of(connection, span, context)
                    sample = sample_points(report, span, context.confidence)
                out += [p for p in sample if p.measure == name]
            else:
                out += COMPUTE[name](connection, span, context)
        if progress is not None:
            progress(done, len(periods))
    return out
