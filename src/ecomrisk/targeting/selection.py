"""Selection under capacity for one facility and customs day. Pure.

In order:

1. **forced**: holds and confirmed watch-list hits take physical exams first;
   any that do not fit are returned as overflow, never squeezed in.
2. **random**: the compliance sample, drawn by systematic sampling over every
   candidate (forced ones included, so the sample does not depend on risk) with
   each candidate's rate from the profile or the sample design. Its physical
   exams are reserved before anything else may use them; if what is left after
   forced exams cannot hold the expected sample, every rate is scaled down by
   the same factor and the plan says so (``random_scale``).
3. **score**: the remaining capacity, less the exploration share, in order of
   expected value of inspection ``p x (revenue at risk + priority weight)``;
   each shipment gets the lightest free exam at least as strict as its lane asks.
4. **exploration**: the share kept back is drawn with probabilities proportional
   to :func:`exploration_weights`: ``p (1 - p) + EXPLORATION_FLOOR`` (most where the
   score is least sure, and a chance for every shipment), divided by
   ``1 + n`` where ``n`` is how many targeted exams the shipment's segment (HS
   chapter x country of export) had recently. Segments the score never sends anyone to —
   where a model trained on past exams cannot know it is wrong — get the most
   exploration, and the more a segment's flow grows while nobody looks, the more
   it gets. Capacity the score left unused (too few shipments worth anything) is
   explored too; slots exploration cannot use go back to the score.

Every pick carries its inclusion probability: the random sample's is exact and
unconditional; a score pick's is 1 (chosen for certain given the scores); an
exploration pick's is its probability in the exploration draw, given the stages
before it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from ecomrisk.domain.enums import ExamType
from ecomrisk.targeting.sampling import pps_probabilities, systematic_sample

# Lightest first: a shipment may take any exam at least as strict as it needs.
EXAMS = (ExamType.DOCUMENT_REVIEW, ExamType.SCAN, ExamType.PHYSICAL)
EXPLORATION_FLOOR = 0.01
# How far back exams count towards a segment's record for exploration: long enough
# to hold a few exams of a small lane, short enough that a lane nobody looked at
# lately is explored again.
EXPLORED_WINDOW_DAYS = 28


class Reason(StrEnum):
    FORCED = "forced"
    RANDOM = "random"
    SCORE = "score"
    EXPLORATION = "exploration"


# Exams that show where targeting looks: a segment they cover needs less exploration.
# The random sample's and exploration's own exams do not count: a few exams say little
# about a lane of hundreds, and exploration must not stop looking where it just began.
COVERING_REASONS = frozenset((Reason.SCORE, Reason.FORCED))


@dataclass(frozen=True)
class Candidate:
    """One shipment version that may be examined, as selection sees it."""

    shipment_id: int
    probability: float  # p(violation)
    revenue_at_risk: float
    priority_weight: float = 0.0
    required_exam: ExamType = ExamType.DOCUMENT_REVIEW
    forced: bool = False
    random_rate: float = 0.0
    stratum: str = ""
    decision_id: int | None = None
    segment: str = ""  # what exploration spreads over (see exploration_weights)

    @property
    def expected_value(self) -> float:
        return self.probability * (self.revenue_at_risk + self.priority_weight)


Take = Callable[["Candidate", ExamType, "Reason", float], None]


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    exam_type: ExamType
    reason: Reason
    inclusion_probability: float


@dataclass
class Plan:
    picks: list[Pick] = field(default_factory=list)
    overflow: list[Candidate] = field(default_factory=list)  # forced, beyond capacity
    random_scale: float = 1.0  # 1 when every random rate was honoured

    def used(self) -> dict[ExamType, int]:
        counts = dict.fromkeys(EXAMS, 0)
        for pick in self.picks:
            counts[pick.exam_type] += 1
        return counts


_STRICTNESS = {exam: rank for rank, exam in enumerate(EXAMS)}


def _strictness(exam: ExamType) -> int:
    return _STRICTNESS[exam]


def _fit(needed: ExamType, free: Mapping[ExamType, int]) -> ExamType | None:
    for exam in EXAMS[_strictness(needed) :]:
        if free[exam] > 0:
            return exam
    return None


def segment_of(hs_code: str | None, country_of_export: str | None) -> str:
    """The exploration segment: HS chapter x country of export (a trade lane).

    Coarse enough that a segment has a flow to learn from, fine enough that a scheme
    moving into one kind of goods from one country changes its own segment's record.
    """
    chapter = (hs_code or "")[:2] or "??"
    return f"{chapter}/{country_of_export or '??'}"


def exploration_weights(
    candidates: Sequence[Candidate], explored: Mapping[str, int] | None
) -> np.ndarray:
    """Relative chance of each candidate in the exploration draw.

    Uncertainty ``p (1 - p)`` plus a floor, divided by ``1 + n`` with ``n`` the
    recent targeted exams of the candidate's segment: the variance of what is known
    of a segment's violation rate falls as ``1 / n``, so an exam teaches most where
    targeting looked least — and a model's low ``p`` there is a guess, not
    knowledge. A segment's share of exploration thus grows with its flow and falls
    with its coverage. Without ``explored`` (no record kept) every segment counts as
    unexamined and this is plain uncertainty sampling.
    """
    uncertainty = np.array([c.probability * (1 - c.probability) for c in candidates])
    counts = explored or {}
    seen = np.array([counts.get(c.segment, 0) for c in candidates], dtype=float)
    return (uncertainty + EXPLORATION_FLOOR) / (1.0 + seen)


def select(
    candidates: Sequence[Candidate],
    capacity: Mapping[ExamType, int],
    exploration_share: float,
    rng: np.random.Generator,
    explored: Mapping[str, int] | None = None,
) -> Plan:
    """Which candidates to examine, with which exam and why; never over ``capacity``.

    ``explored``: recent exams per segment (``Candidate.segment``), which steer
    exploration towards segments examined least.
    """
    free = {exam: max(0, int(capacity.get(exam, 0))) for exam in EXAMS}
    plan = Plan()
    chosen: set[int] = set()

    def take(candidate: Candidate, exam: ExamType, reason: Reason, pi: float) -> None:
        free[exam] -= 1
        chosen.add(candidate.shipment_id)
        plan.picks.append(Pick(candidate, exam, reason, pi))

    by_value = sorted(candidates, key=lambda c: (-c.expected_value, c.shipment_id))
    forced = [c for c in by_value if c.forced]
    placed: set[int] = set()
    for candidate in forced:
        if free[ExamType.PHYSICAL] > 0:
            free[ExamType.PHYSICAL] -= 1  # picked below, once we know if it is also random
            placed.add(candidate.shipment_id)
            chosen.add(candidate.shipment_id)
        else:
            plan.overflow.append(candidate)
            chosen.add(candidate.shipment_id)  # handled: not examined today, nor scored

    # The random frame: forced first (their exams are placed already), then the rest
    # by stratum in random order, so the draw is implicitly stratified.
    rest = [c for c in candidates if not c.forced]
    keys = rng.random(len(rest))
    order = sorted(range(len(rest)), key=lambda i: (rest[i].stratum, keys[i]))
    frame = forced + [rest[i] for i in order]
    rates = np.array([min(1.0, max(0.0, c.random_rate)) for c in frame])
    expected = float(rates[len(forced) :].sum())
    room = free[ExamType.PHYSICAL]
    if plan.overflow:  # no physical exam left: a drawn unit could not be examined
        plan.random_scale = 0.0
        rates = rates * 0.0
    elif expected > room:
        # Shrink a hair below the room: a run of total length s holds at most ceil(s) draws.
        plan.random_scale = max(0.0, (room - 1e-9) / expected)
        rates = rates * plan.random_scale
    drawn = systematic_sample(rates, rng)
    for candidate, is_drawn, pi in zip(frame, drawn, rates, strict=True):
        if candidate.shipment_id in placed:
            reason = Reason.RANDOM if is_drawn else Reason.FORCED
            plan.picks.append(Pick(candidate, ExamType.PHYSICAL, reason, pi if is_drawn else 1.0))
        elif is_drawn and not candidate.forced:
            take(candidate, ExamType.PHYSICAL, Reason.RANDOM, float(pi))

    reserve = {
        exam: min(free[exam], int(exploration_share * max(0, int(capacity.get(exam, 0)))))
        for exam in EXAMS
    }
    for exam in EXAMS:
        free[exam] -= reserve[exam]
    _fill_by_score(by_value, free, chosen, take)
    for exam in EXAMS:
        free[exam] += reserve[exam]
        level = _strictness(exam)
        eligible = [
            c
            for c in candidates
            if c.shipment_id not in chosen and _STRICTNESS[c.required_exam] <= level
        ]
        if not eligible or free[exam] == 0:
            continue
        weights = exploration_weights(eligible, explored)
        # The share kept back, and whatever the score left unused: capacity is not wasted.
        pi = pps_probabilities(weights, min(free[exam], len(eligible)))
        shuffled = rng.permutation(len(eligible))
        mask = systematic_sample(pi[shuffled], rng)
        for index in shuffled[mask]:
            take(eligible[index], exam, Reason.EXPLORATION, float(pi[index]))
    _fill_by_score(by_value, free, chosen, take)  # what exploration could not use
    return plan


def _fill_by_score(
    by_value: Sequence[Candidate],
    free: dict[ExamType, int],
    chosen: set[int],
    take: "Take",
) -> None:
    for candidate in by_value:
        if candidate.expected_value <= 0 or sum(free.values()) == 0:
            break
        if candidate.shipment_id in chosen:
            continue
        exam = _fit(candidate.required_exam, free)
        if exam is not None:
            take(candidate, exam, Reason.SCORE, 1.0)
