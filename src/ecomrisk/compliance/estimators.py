"""Design-based estimators over a stratified random sample. Pure.

Each sampled unit carries its stratum, its inclusion probability ``pi`` and a
value ``y`` (1/0 for a violation, or revenue found). Within a stratum the mean is
the Hajek estimator ``sum(y / pi) / sum(1 / pi)``; strata are combined by their
population shares when the frame's counts are known (post-stratification),
else by their estimated sizes ``sum(1 / pi)``. Variances use the with-replacement
linearisation within each stratum, times the finite-population correction.

Rates get exact Clopper-Pearson intervals where counts are small and Wilson
intervals otherwise, both on the Korn-Graubard effective sample size
``p (1 - p) / var`` so that weighting and stratification carry into the interval.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

IntervalMethod = Literal["auto", "wilson", "exact"]
# Below this many (effective) events or non-events, the exact interval is used.
SMALL_COUNT = 10


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    method: str
    n: int  # sampled units
    effective_n: float

    def complement(self) -> "Interval":
        """The interval of ``1 - rate`` (compliance from violation)."""
        return Interval(
            1 - self.estimate, 1 - self.high, 1 - self.low, self.method, self.n, self.effective_n
        )


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(x: float, n: float, confidence: float) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    z = _z(confidence)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson(x: float, n: float, confidence: float) -> tuple[float, float]:
    """The exact interval (conservative); ``x`` and ``n`` may be effective, non-integer counts."""
    if n <= 0:
        return 0.0, 1.0
    # SciPy (the beta quantiles) loads on first use: most callers never need it.
    from scipy.stats import beta  # type: ignore[import-untyped]

    alpha = 1 - confidence
    low = 0.0 if x <= 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return low, high


def proportion_interval(
    x: float, n: float, confidence: float, method: IntervalMethod = "auto", sampled: int = 0
) -> Interval:
    """An interval for ``x`` events in ``n`` (effective) trials."""
    p = x / n if n > 0 else 0.0
    chosen = method
    if method == "auto":
        chosen = "exact" if min(x, n - x) < SMALL_COUNT else "wilson"
    low, high = clopper_pearson(x, n, confidence) if chosen == "exact" else wilson(x, n, confidence)
    return Interval(p, low, high, chosen, sampled or round(n), n)


@dataclass(frozen=True)
class StratumEstimate:
    stratum: str
    n: int
    population: float  # known frame count, else the estimated sum(1 / pi)
    mean: float
    variance: float  # of the mean


def _stratum(values: np.ndarray, pi: np.ndarray, population: float | None) -> tuple[float, float]:
    weights = 1 / pi
    total_weight = weights.sum()
    mean = float((weights * values).sum() / total_weight)
    n = len(values)
    if n < 2:
        return mean, 0.0
    z = weights * (values - mean) / total_weight
    size = population if population else total_weight
    fpc = max(0.0, 1 - n / size) if size else 1.0
    variance = fpc * n / (n - 1) * float(((z - z.mean()) ** 2).sum())
    return mean, variance


def by_stratum(
    strata: Sequence[str],
    values: Sequence[float],
    pi: Sequence[float],
    populations: Mapping[str, int] | None = None,
) -> list[StratumEstimate]:
    """The Hajek mean and its variance in every sampled stratum."""
    labels = np.asarray(strata, dtype=object)
    y = np.asarray(values, dtype=float)
    p = np.asarray(pi, dtype=float)
    if np.any(p <= 0) or np.any(p > 1):
        raise ValueError("inclusion_probability: every sampled unit needs one in (0, 1]")
    out = []
    for stratum in sorted(set(labels.tolist())):
        mask = labels == stratum
        known = populations.get(stratum) if populations else None
        mean, variance = _stratum(y[mask], p[mask], known)
        size = float(known) if known else float((1 / p[mask]).sum())
        out.append(StratumEstimate(stratum, int(mask.sum()), size, mean, variance))
    return out


def combine(estimates: Sequence[StratumEstimate]) -> tuple[float, float, float]:
    """The population mean, its variance and the population covered."""
    total = sum(e.population for e in estimates)
    if total <= 0:
        return 0.0, 0.0, 0.0
    mean = sum(e.population * e.mean for e in estimates) / total
    variance = sum((e.population / total) ** 2 * e.variance for e in estimates)
    return mean, variance, total


def rate_interval(
    mean: float, variance: float, n: int, confidence: float, method: IntervalMethod = "auto"
) -> Interval:
    """Korn-Graubard: an interval for a weighted rate from its design variance."""
    if variance > 0 and 0 < mean < 1:
        effective = min(max(mean * (1 - mean) / variance, 1.0), 1e12)
    else:
        effective = float(n)  # no variance to learn from: the sample as drawn
    return proportion_interval(mean * effective, effective, confidence, method, sampled=n)


def total_interval(
    mean: float, variance: float, population: float, n: int, confidence: float
) -> Interval:
    """A normal interval for a population total (e.g. the revenue gap), not below 0."""
    total = mean * population
    half = _z(confidence) * math.sqrt(variance) * population
    return Interval(total, max(0.0, total - half), total + half, "normal", n, float(n))


@dataclass(frozen=True)
class Lift:
    targeted_rate: float
    random_rate: float
    estimate: float | None
    low: float | None
    high: float | None
    targeted_n: int


def lift(
    targeted_hits: int,
    targeted_n: int,
    random_rate: float,
    random_variance: float,
    confidence: float,
) -> Lift:
    """How many times likelier a targeted exam finds a violation than a random one,
    with a log-scale (delta method) interval; None where either rate is zero."""
    p_t = targeted_hits / targeted_n if targeted_n else 0.0
    if targeted_hits == 0 or random_rate <= 0 or targeted_n == 0:
        return Lift(p_t, random_rate, None, None, None, targeted_n)
    ratio = p_t / random_rate
    var_log = (1 - p_t) / (targeted_n * p_t) + random_variance / random_rate**2
    half = _z(confidence) * math.sqrt(var_log)
    return Lift(
        p_t, random_rate, ratio, ratio * math.exp(-half), ratio * math.exp(half), targeted_n
    )
