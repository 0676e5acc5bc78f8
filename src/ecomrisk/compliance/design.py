"""Sample sizes for estimating a rate to a margin of error. Pure.

Cochran's formula with the finite-population correction:
``n0 = z^2 p (1 - p) / e^2`` and ``n = n0 / (1 + (n0 - 1) / N)``, rounded up.
``per_stratum`` sizes every stratum to the margin on its own (estimates by
stratum); ``overall`` sizes the whole flow to the margin and allocates it in
proportion to stratum populations (one national estimate, fewer exams).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

Allocation = Literal["per_stratum", "overall"]


class DesignError(ValueError):
    """Parameters a design cannot be made from; names the parameter."""


@dataclass(frozen=True)
class StratumDesign:
    stratum: str
    population: int
    sample_size: int

    @property
    def rate(self) -> float:
        return self.sample_size / self.population if self.population else 0.0


def _check(expected_rate: float, margin: float, confidence: float) -> None:
    if not 0 < expected_rate < 1:
        raise DesignError(f"expected_rate: {expected_rate} must lie strictly between 0 and 1")
    if not 0 < margin < 1:
        raise DesignError(f"margin: {margin} must lie strictly between 0 and 1")
    if not 0.5 <= confidence < 1:
        raise DesignError(f"confidence: {confidence} must lie in [0.5, 1)")


def sample_size(expected_rate: float, margin: float, confidence: float, population: int) -> int:
    """Exams needed to estimate a rate near ``expected_rate`` to +/- ``margin``."""
    _check(expected_rate, margin, confidence)
    if population <= 0:
        return 0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    n0 = z * z * expected_rate * (1 - expected_rate) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, math.ceil(n - 1e-9))


def design(
    populations: Mapping[str, int],
    expected_rate: float,
    margin: float,
    confidence: float,
    allocation: Allocation = "per_stratum",
) -> list[StratumDesign]:
    """Sample size of every stratum, by the allocation chosen."""
    _check(expected_rate, margin, confidence)
    if allocation == "per_stratum":
        return [
            StratumDesign(s, n, sample_size(expected_rate, margin, confidence, n))
            for s, n in sorted(populations.items())
        ]
    if allocation != "overall":
        raise DesignError(f"allocation: {allocation!r} is not per_stratum or overall")
    total = sum(populations.values())
    overall = sample_size(expected_rate, margin, confidence, total)
    return [
        StratumDesign(s, n, min(n, math.ceil(overall * n / total - 1e-9)))
        for s, n in sorted(populations.items())
    ]
