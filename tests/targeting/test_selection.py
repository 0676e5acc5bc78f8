"""Selection under capacity: capacity holds for every mix, forced first, and the
stored inclusion probabilities are the frequencies with which shipments are drawn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrisk.domain.enums import ExamType
from ecomrisk.targeting.sampling import pps_probabilities, systematic_sample
from ecomrisk.targeting.selection import (
    EXAMS,
    EXPLORATION_FLOOR,
    Candidate,
    Reason,
    exploration_weights,
    segment_of,
    select,
)

candidate = st.builds(
    Candidate,
    shipment_id=st.integers(1, 10**6),
    probability=st.floats(0, 1),
    revenue_at_risk=st.floats(0, 1e5),
    priority_weight=st.sampled_from([0.0, 200.0, 1000.0]),
    required_exam=st.sampled_from(EXAMS),
    forced=st.booleans(),
    random_rate=st.sampled_from([0.0, 0.002, 0.01, 0.3, 1.0]),
    stratum=st.sampled_from(["a", "b", "c"]),
)
capacity = st.fixed_dictionaries({exam: st.integers(0, 12) for exam in EXAMS})


@settings(max_examples=200, deadline=None)
@given(
    st.lists(candidate, max_size=60, unique_by=lambda c: c.shipment_id),
    capacity,
    st.floats(0, 1),
    st.integers(0, 2**32 - 1),
)
def test_capacity_holds_for_every_mix(
    candidates: list[Candidate], capacity: dict[ExamType, int], share: float, seed: int
) -> None:
    plan = select(candidates, capacity, share, np.random.default_rng(seed))
    used = plan.used()
    assert all(used[exam] <= capacity[exam] for exam in EXAMS)
    picked = [p.candidate.shipment_id for p in plan.picks]
    assert len(picked) == len(set(picked))  # nobody twice
    forced = [c for c in candidates if c.forced]
    placed = {p.candidate.shipment_id for p in plan.picks if p.candidate.forced}
    # Forced ones fill physical exams first: overflow only when physical is full.
    assert len(placed) == min(len(forced), capacity[ExamType.PHYSICAL])
    assert len(placed) + len(plan.overflow) == len(forced)
    for pick in plan.picks:
        assert 0 < pick.inclusion_probability <= 1
        # never a lighter exam than the lane asks for
        assert EXAMS.index(pick.exam_type) >= EXAMS.index(pick.candidate.required_exam)
        if pick.reason is Reason.SCORE:
            assert pick.candidate.expected_value > 0


def test_score_fills_by_expected_value_and_respects_the_exploration_share() -> None:
    candidates = [
        Candidate(i, probability=i / 100, revenue_at_risk=10.0, required_exam=ExamType.SCAN)
        for i in range(1, 101)
    ]
    capacity = {ExamType.DOCUMENT_REVIEW: 0, ExamType.SCAN: 20, ExamType.PHYSICAL: 0}
    plan = select(candidates, capacity, 0.1, np.random.default_rng(1))
    by_reason = {r: [p for p in plan.picks if p.reason is r] for r in Reason}
    assert len(by_reason[Reason.SCORE]) == 18
    assert len(by_reason[Reason.EXPLORATION]) == 2
    assert {p.candidate.shipment_id for p in by_reason[Reason.SCORE]} == set(range(83, 101))


@pytest.mark.slow
def test_inclusion_frequencies_match_the_stored_probabilities() -> None:
    """Over many days with the same shipments, each one is drawn at the rate stored."""
    rng = np.random.default_rng(5)
    candidates = [
        Candidate(
            i,
            probability=float(rng.uniform(0, 0.6)),
            revenue_at_risk=float(rng.uniform(0, 50)),
            required_exam=EXAMS[i % 3],
            forced=i < 4,
            random_rate=0.05 if i % 5 else 0.01,  # every fifth one is trusted
            stratum=f"s{i % 4}",
        )
        for i in range(150)
    ]
    capacity = {ExamType.DOCUMENT_REVIEW: 8, ExamType.SCAN: 6, ExamType.PHYSICAL: 20}
    runs = 2000
    random_hits = np.zeros(len(candidates))
    random_pi = np.zeros(len(candidates))
    explore_hits = np.zeros(len(candidates))
    for _ in range(runs):
        plan = select(candidates, capacity, 0.25, rng)
        assert plan.random_scale == 1.0
        for pick in plan.picks:
            i = pick.candidate.shipment_id
            if pick.reason is Reason.RANDOM:
                random_hits[i] += 1
                random_pi[i] = pick.inclusion_probability
            elif pick.reason is Reason.EXPLORATION:
                explore_hits[i] += 1
    expected = np.array([c.random_rate for c in candidates])
    assert np.allclose(random_pi[random_pi > 0], expected[random_pi > 0])
    # Binomial standard error per unit is at most 0.004 here: 5 of them in aggregate.
    observed = random_hits / runs
    assert np.abs(observed - expected).max() < 5 * np.sqrt(0.05 * 0.95 / runs)
    assert abs(observed.sum() - expected.sum()) < 0.2
    # Exploration spends its share (25 % of each exam type, rounded down).
    assert explore_hits.sum() / runs == 2 + 1 + 5


def test_random_rates_shrink_together_when_capacity_is_short() -> None:
    candidates = [Candidate(i, 0.0, 0.0, random_rate=0.5, stratum="a") for i in range(100)]
    capacity = {ExamType.DOCUMENT_REVIEW: 0, ExamType.SCAN: 0, ExamType.PHYSICAL: 10}
    plan = select(candidates, capacity, 0.0, np.random.default_rng(2))
    assert plan.random_scale < 0.2
    assert len(plan.picks) == 10
    assert all(p.inclusion_probability == plan.picks[0].inclusion_probability for p in plan.picks)


def test_systematic_sampling_is_exact_in_size_and_probability() -> None:
    rng = np.random.default_rng(9)
    pi = pps_probabilities(rng.uniform(0, 1, 50), 7.0)
    assert abs(pi.sum() - 7) < 1e-9
    assert pi.max() <= 1
    counts = np.zeros(50)
    for _ in range(4000):
        taken = systematic_sample(pi, rng)
        assert taken.sum() == 7
        counts += taken
    assert np.abs(counts / 4000 - pi).max() < 5 * np.sqrt(0.25 / 4000)


def test_exploration_goes_most_to_segments_targeting_left_alone() -> None:
    """Two lanes of equal flow and equal scores: the one targeting examined 20 times
    recently gets about 1/21 of the other's exploration; without a record, both alike."""
    candidates = [
        Candidate(i, probability=0.02, revenue_at_risk=1.0, segment="33/KR" if i % 2 else "85/CN")
        for i in range(200)
    ]
    explored = {"85/CN": 20}
    weights = exploration_weights(candidates, explored)
    assert weights[1] / weights[0] == pytest.approx(21.0)
    assert np.allclose(exploration_weights(candidates, None), 0.02 * 0.98 + EXPLORATION_FLOOR)
    # Only exploration (all capacity kept back): counted over many days.
    capacity = {ExamType.DOCUMENT_REVIEW: 0, ExamType.SCAN: 0, ExamType.PHYSICAL: 10}
    rng = np.random.default_rng(3)
    hits = {"33/KR": 0, "85/CN": 0}
    for _ in range(300):
        plan = select(candidates, capacity, 1.0, rng, explored)
        assert all(p.reason is Reason.EXPLORATION for p in plan.picks)
        for pick in plan.picks:
            hits[pick.candidate.segment] += 1
            # The stored probability is the draw's: 10 exams spread by the weights.
            assert pick.inclusion_probability == pytest.approx(
                10 * weights[pick.candidate.shipment_id] / weights.sum()
            )
    assert hits["33/KR"] + hits["85/CN"] == 3000
    assert 15 < hits["33/KR"] / hits["85/CN"] < 30


def test_segments_are_hs_chapter_by_country_of_export() -> None:
    assert segment_of("330300", "KR") == "33/KR"
    assert segment_of("33", "KR") == "33/KR"
    assert segment_of(None, None) == "??/??"
