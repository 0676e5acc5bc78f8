"""The compliance report: compliance rate, major-violation rate and revenue gap by
stratum and overall, from the random sample only, and the lift of targeted exams
over random ones. Pure: it takes what ``frame`` read and returns numbers.

Inconclusive exams are left out (counted as ``inconclusive``); targeted,
forced, score and exploration exams never enter the rates, only the lift.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ecomrisk.compliance.estimators import (
    Interval,
    IntervalMethod,
    Lift,
    StratumEstimate,
    by_stratum,
    combine,
    lift,
    rate_interval,
    total_interval,
)
from ecomrisk.compliance.frame import Examined

if TYPE_CHECKING:  # the engines load with the first report run on one
    from ecomrisk.engines.batch import BatchEngine

TARGETED = ("targeted", "score", "forced")


@dataclass(frozen=True)
class StratumResult:
    stratum: str
    population: int | None  # shipments in the frame; None when the frame lacks it
    sampled: int
    violations: int
    compliance: Interval
    major_violation: Interval
    revenue_gap: Interval


@dataclass
class Report:
    confidence: float
    currency: str
    sampled: int = 0
    inconclusive: int = 0
    unusable: int = 0  # random exams without an inclusion probability
    population: int = 0
    unsampled_strata: list[str] = field(default_factory=list)
    unsampled_population: int = 0
    overall: StratumResult | None = None
    strata: list[StratumResult] = field(default_factory=list)
    lift: Lift | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


VALUES = ("violation", "major", "revenue")
# value -> stratum -> its estimate: computed once for the sample, in process or on an engine.
Estimates = Mapping[str, Mapping[str, StratumEstimate]]


def _values(
    sample: Sequence[Examined], major: frozenset[str], revenue_of: Callable[[Examined], float]
) -> dict[str, list[float]]:
    return {
        "violation": [1.0 if u.result == "violation" else 0.0 for u in sample],
        "major": [1.0 if u.finding_types & major else 0.0 for u in sample],
        "revenue": [revenue_of(u) for u in sample],
    }


def _by_stratum(
    sample: Sequence[Examined],
    populations: Mapping[str, int],
    values: Mapping[str, list[float]],
    batch: "BatchEngine | None",
) -> Estimates:
    labels = [u.stratum for u in sample]
    pi = [float(u.inclusion_probability or 0) for u in sample]
    if batch is None:
        found = {name: by_stratum(labels, v, pi, populations) for name, v in values.items()}
    else:
        from ecomrisk.compliance.estimators_sql import by_stratum_on, sample_table

        found = by_stratum_on(batch, sample_table(labels, pi, values), populations)
    return {name: {e.stratum: e for e in estimates} for name, estimates in found.items()}


def _estimate(
    stratum: str,
    units: Sequence[Examined],
    populations: Mapping[str, int],
    estimates: Estimates,
    confidence: float,
    method: IntervalMethod,
) -> tuple[StratumResult, float, float]:
    labels = sorted({u.stratum for u in units})
    results = [combine([estimates[name][s] for s in labels]) for name in VALUES]
    violations = sum(1 for u in units if u.result == "violation")
    n = len(units)
    (v_mean, v_var, covered), (m_mean, m_var, _), (r_mean, r_var, _) = results
    known = sum(populations.get(s, 0) for s in set(labels))
    result = StratumResult(
        stratum,
        known or None,
        n,
        violations,
        rate_interval(v_mean, v_var, n, confidence, method).complement(),
        rate_interval(m_mean, m_var, n, confidence, method),
        total_interval(r_mean, r_var, covered, n, confidence),
    )
    return result, v_mean, v_var


def compliance_report(
    exams: Sequence[Examined],
    populations: Mapping[str, int],
    *,
    major: frozenset[str],
    revenue_of: Callable[[Examined], float],
    currency: str,
    confidence: float = 0.95,
    method: IntervalMethod = "auto",
    batch: "BatchEngine | None" = None,
) -> Report:
    """The report of ``exams``; ``batch``: the estimators' sums run on that engine."""
    report = Report(confidence, currency, population=sum(populations.values()))
    sample = []
    for exam in exams:
        if exam.selection != "random":
            continue
        if exam.inclusion_probability is None or exam.inclusion_probability <= 0:
            report.unusable += 1
        elif exam.result == "inconclusive":
            report.inconclusive += 1
        else:
            sample.append(exam)
    report.sampled = len(sample)
    if not sample:
        return report
    sampled_strata = {u.stratum for u in sample}
    report.unsampled_strata = sorted(set(populations) - sampled_strata)
    report.unsampled_population = sum(populations[s] for s in report.unsampled_strata)
    estimates = _by_stratum(sample, populations, _values(sample, major, revenue_of), batch)
    for stratum in sorted(sampled_strata):
        units = [u for u in sample if u.stratum == stratum]
        result, _, _ = _estimate(stratum, units, populations, estimates, confidence, method)
        report.strata.append(result)
    report.overall, random_rate, random_variance = _estimate(
        "overall", sample, populations, estimates, confidence, method
    )
    targeted = [e for e in exams if e.selection in TARGETED and e.result != "inconclusive"]
    hits = sum(1 for e in targeted if e.result == "violation")
    report.lift = lift(hits, len(targeted), random_rate, random_variance, confidence)
    return report
