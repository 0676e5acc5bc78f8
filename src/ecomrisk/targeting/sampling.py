"""Unequal-probability sampling with exactly known inclusion probabilities. Pure.

Systematic sampling (Madow, 1949): lay the units end to end, each as long as its
probability, and take every unit that holds one of the points ``u, u+1, u+2, ...``
for one uniform ``u``. Unit ``i`` is taken with probability exactly ``pi[i]``, and
a run of consecutive units of total length ``s`` yields ``floor(s)`` or ``ceil(s)``
of them — which is what lets a random sample be promised to fit its capacity.
Ordering the frame by stratum first makes the sample implicitly stratified.
"""

import numpy as np

# Cumulative sums drift by rounding; a point this close to a boundary belongs to the next unit.
_EPS = 1e-12


def systematic_sample(pi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask of the units taken; ``pi`` must lie in [0, 1]."""
    pi = np.asarray(pi, dtype=float)
    if pi.size == 0:
        return np.zeros(0, dtype=bool)
    if np.any(pi < 0) or np.any(pi > 1 + _EPS):
        raise ValueError("pi: inclusion probabilities must lie in [0, 1]")
    ends = np.cumsum(pi)
    starts = ends - pi
    u = rng.random()
    # The number of points u + k in [start, end): 0 or 1 since each length is at most 1.
    taken = np.ceil(ends - u - _EPS) - np.ceil(starts - u - _EPS)
    return (taken > 0) & (pi > 0)


def pps_probabilities(weights: np.ndarray, n: float) -> np.ndarray:
    """Inclusion probabilities proportional to ``weights`` summing to ``n`` (capped at
    1: units that would exceed it are taken for sure and the rest rescaled)."""
    weights = np.asarray(weights, dtype=float)
    if np.any(weights < 0):
        raise ValueError("weights: must not be negative")
    positive = int(np.count_nonzero(weights))
    n = min(float(n), float(positive))
    pi = np.zeros_like(weights)
    if n <= 0:
        return pi
    certain = np.zeros(weights.shape, dtype=bool)
    while True:
        rest = ~certain & (weights > 0)
        room = n - certain.sum()
        pi = np.where(certain, 1.0, 0.0)
        pi[rest] = room * weights[rest] / weights[rest].sum()
        over = rest & (pi >= 1)
        if not over.any():
            return np.minimum(pi, 1.0)
        certain |= over


def random_rate(trusted: bool, design_rate: float, floor: float, trusted_floor: float) -> float:
    """A shipment's rate in the random compliance sample: the design's for its
    stratum, never below the profile's floor; for trusted parties never below their
    (lower, non-zero) floor and never above the ordinary floor either, so the
    programme's promise of fewer exams holds even where a design asks for more."""
    if trusted:
        return min(max(trusted_floor, design_rate), max(floor, trusted_floor))
    return max(floor, design_rate)
