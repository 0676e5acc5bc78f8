"""Risk propagation over the link graph, and community detection. Pure: graph in,
numbers out.

Seeds are confirmed violations: a shipment with a finding or a seizure, an
entity with a confirmed watch-list hit. A seed's strength decays with its age,
halving every ``half_life_days``. Risk then spreads by personalised PageRank:

    r = (1 - a) s + a P r

where s holds the seed strengths, P is the random-walk matrix of the graph
(each node passes its risk in equal shares to its neighbours) and a the damping.
So r = (1 - a) (I - a P)^-1 s: every walk from a seed contributes, each hop
multiplying by a / degree. Risk falls with distance and is diluted by hubs
(a consolidator linked to thousands of shipments passes little to each). The
total risk equals the total seed strength. The network risk of a node is
r / (1 - a), capped at 1: a fresh seizure scores 1 on its own node, its parties
about a / 3 each (a shipment has three parties or so), and so on outwards.
"""

import math
import random
from collections.abc import Mapping

import igraph

DAMPING = 0.85
HALF_LIFE_DAYS = 180.0
SEIZURE_STRENGTH = 1.0
FINDING_STRENGTH = 0.6
COMMUNITY_SEED = 7  # Leiden starts from random moves: fixed, so runs repeat


def decayed(strength: float, age_days: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """A seed's strength after ``age_days`` (a future date counts as today)."""
    return strength * math.pow(0.5, max(age_days, 0.0) / half_life_days)


def propagate(
    graph: igraph.Graph, seeds: Mapping[int, float], damping: float = DAMPING
) -> list[float]:
    """Network risk of every vertex, in [0, 1], from seed strengths by vertex."""
    total = sum(seeds.values())
    if total <= 0 or graph.vcount() == 0:
        return [0.0] * graph.vcount()
    reset = [0.0] * graph.vcount()
    for vertex, strength in seeds.items():
        reset[vertex] += strength
    rank = graph.personalized_pagerank(directed=False, damping=damping, reset=reset)
    scale = total / (1.0 - damping)
    return [min(1.0, scale * p) for p in rank]


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
