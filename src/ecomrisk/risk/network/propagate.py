"""Risk propagation over the link graph, and community detection. Pure: graph in,
numbers out.

Seeds are confirmed violations: a shipment with a finding or a seizure, an
entity with a confirmed watch-list hit. A seed's strength decays with its age,
halving every ``half_life_days``. The exposure is what was looked at: every
examined shipment (weight 1, decayed in the same way), and every seeded entity.

Both spread by personalised PageRank (``spread``):

    R = (I - a P)^-1 x = the amounts x reaching a node by every walk, each hop x a / degree

with P the random-walk matrix of the graph and a the damping: R_found from the
seeds, R_examined from the exposure. A node's **network risk** is their ratio,
shrunk towards the overall rate q0 (found over examined) by a prior worth
``PRIOR_EXAMS`` exams:

    risk = (R_found + m q0) / (R_examined + m)

that is, the violation rate among the exams near the node, each weighted by how
closely walks tie it to the node. A node no exam reaches scores q0, what is
known of anything; one near exams that found nothing scores less: that a
party's neighbourhood was examined and found clean is worth knowing (shrinking
towards 0 instead ranked later exams worse than chance, ``bench/network_risk.py``).

Why a ratio and not R_found alone: PageRank piles mass on hubs. A
consolidator's address on 2,000 shipments, 40 of them seized, sums 40 seeds and
would saturate, and every shipment filed through it would inherit the maximum
although 2 % of its exams found anything; R_examined piles up on the hub in the
same way and the ratio reads 2 %. A ring's address
where half the exams found counterfeits scores about a half.
"""

import math
import random
from collections.abc import Mapping

import igraph

DAMPING = 0.85
HALF_LIFE_DAYS = 180.0
SEIZURE_STRENGTH = 1.0
FINDING_STRENGTH = 0.6
PRIOR_EXAMS = 0.5  # the overall rate counts as half an exam at every node
COMMUNITY_SEED = 7  # Leiden starts from random moves: fixed, so runs repeat


def decayed(strength: float, age_days: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """A seed's strength after ``age_days`` (a future date counts as today)."""
    return strength * math.pow(0.5, max(age_days, 0.0) / half_life_days)


def spread(
    graph: igraph.Graph, amounts: Mapping[int, float], damping: float = DAMPING
) -> list[float]:
    """Personalised PageRank from ``amounts`` by vertex, scaled so that a node's value
    counts the amounts that reach it: at least its own amount, and totalling
    ``sum(amounts) / (1 - damping)``."""
    total = sum(amounts.values())
    if total <= 0 or graph.vcount() == 0:
        return [0.0] * graph.vcount()
    reset = [0.0] * graph.vcount()
    for vertex, amount in amounts.items():
        reset[vertex] += amount
    rank = graph.personalized_pagerank(directed=False, damping=damping, reset=reset)
    scale = total / (1.0 - damping)
    return [scale * p for p in rank]


def overall_rate(found: Mapping[int, float], examined: Mapping[int, float]) -> float:
    """Violations found over exams, everywhere: q0."""
    total = sum(examined.values())
    return sum(found.values()) / total if total > 0 else 0.0


def local_rate(
    found: list[float], examined: list[float], overall: float, prior_exams: float = PRIOR_EXAMS
) -> list[float]:
    """Network risk of every node from the two spreads: the rate of violations among
    the exams near it, shrunk towards the ``overall`` rate, within [0, 1]."""
    return [
        min(1.0, (f + prior_exams * overall) / (e + prior_exams))
        for f, e in zip(found, examined, strict=True)
    ]


def propagate(
    graph: igraph.Graph,
    found: Mapping[int, float],
    examined: Mapping[int, float],
    damping: float = DAMPING,
    prior_exams: float = PRIOR_EXAMS,
) -> list[float]:
    """Network risk of every vertex, in [0, 1], from the strengths of the violations
    ``found`` and the weights of what was ``examined``, by vertex."""
    return local_rate(
        spread(graph, found, damping),
        spread(graph, examined, damping),
        overall_rate(found, examined),
        prior_exams,
    )


def communities(graph: igraph.Graph) -> list[int]:
    """Community of every vertex (Leiden, modularity), the same on every run."""
    if graph.vcount() == 0:
        return []
    state = random.getstate()
    random.seed(COMMUNITY_SEED)
    igraph.set_random_number_generator(random)
    try:
        return list(
            graph.community_leiden(objective_function="modularity", n_iterations=-1).membership
        )
    finally:
        random.setstate(state)
