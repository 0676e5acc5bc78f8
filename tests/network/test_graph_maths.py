"""Components, spanning forests, propagation and communities on graphs whose answers
are known: networkx is the oracle for components, hand-built graphs for the rest."""

import random

import igraph
import networkx as nx
import pytest

from ecomrisk.risk.network.components import components, strongest_forest
from ecomrisk.risk.network.propagate import communities, decayed, propagate, spread


def _random_graph(seed: int) -> tuple[int, list[tuple[int, int]]]:
    rng = random.Random(seed)
    n = rng.randint(1, 300)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, n * 2))]
    return n, edges


@pytest.mark.parametrize("seed", range(25))
def test_components_agree_with_networkx(seed: int) -> None:
    n, edges = _random_graph(seed)
    reference = nx.Graph()
    reference.add_nodes_from(range(n))
    reference.add_edges_from(edges)
    expected = {frozenset(c) for c in nx.connected_components(reference)}
    labels = components(n, edges)
    found: dict[int, set[int]] = {}
    for vertex, label in enumerate(labels):
        found.setdefault(label, set()).add(vertex)
    assert {frozenset(c) for c in found.values()} == expected
    # Each component is named by its smallest vertex (an entity by its oldest record).
    assert all(label == min(members) for label, members in found.items())


@pytest.mark.parametrize("seed", range(10))
def test_the_strongest_forest_spans_every_component_with_the_heaviest_links(seed: int) -> None:
    n, edges = _random_graph(seed)
    rng = random.Random(seed)
    weights = [rng.uniform(1, 10) for _ in edges]
    chosen = strongest_forest(n, edges, weights)
    assert components(n, [edges[i] for i in chosen]) == components(n, edges)
    reference = nx.Graph()
    reference.add_nodes_from(range(n))
    for (a, b), w in zip(edges, weights, strict=True):
        if a != b and (not reference.has_edge(a, b) or reference[a][b]["weight"] < w):
            reference.add_edge(a, b, weight=w)
    best = nx.maximum_spanning_tree(reference).size(weight="weight")
    assert sum(weights[i] for i in chosen) == pytest.approx(best)


def test_spread_falls_with_distance_and_keeps_the_total() -> None:
    path = igraph.Graph(n=6, edges=[(i, i + 1) for i in range(5)])
    reached = spread(path, {0: 0.05})
    assert reached[0] >= 0.05  # a seed counts at least its own amount
    assert all(reached[i] > reached[i + 1] for i in range(1, 5))
    assert reached[5] > 0
    ring = igraph.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)])
    assert sum(r * (1 - 0.85) for r in spread(ring, {0: 0.2}, damping=0.85)) == pytest.approx(0.2)


def test_a_hub_passes_less_to_each_neighbour() -> None:
    # Seed 0 links to a hub (1) with many leaves and to a node (2) with one leaf.
    edges = [(0, 1), (0, 2), (2, 3)] + [(1, leaf) for leaf in range(4, 24)]
    reached = spread(igraph.Graph(n=24, edges=edges), {0: 1.0})
    assert reached[3] > reached[4]


def test_risk_is_the_rate_of_violations_among_nearby_exams() -> None:
    # A consolidator (0) on 400 shipments: 200 examined, 10 seized (5 %). A ring's
    # address (401) on 10 shipments: 6 examined, 5 seized. A clean trader (412) with
    # 10 shipments: 4 examined, none found. A node (423) no exam reaches.
    hub = [(0, s) for s in range(1, 401)]
    ring = [(401, s) for s in range(402, 412)]
    clean = [(412, s) for s in range(413, 423)]
    graph = igraph.Graph(n=424, edges=hub + ring + clean)
    found = {**dict.fromkeys(range(1, 11), 1.0), **dict.fromkeys(range(402, 407), 1.0)}
    examined = dict.fromkeys([*range(1, 201), *range(402, 408), *range(413, 417)], 1.0)
    overall = 15 / 210
    assert spread(graph, found)[0] > spread(graph, found)[401]  # the hub gathers more...
    risk = propagate(graph, found, examined)
    assert risk[0] == pytest.approx(10 / 200, abs=0.005)  # ...but its rate is 5 %
    assert 0.5 < risk[401] < 5 / 6  # the prior pulls it towards the overall rate
    assert propagate(graph, found, examined, prior_exams=1e-9)[401] == pytest.approx(5 / 6)
    assert risk[412] < overall  # examined and found clean
    assert risk[423] == pytest.approx(overall)  # no exam near it: what is known of anything
    assert max(risk) <= 1.0


def test_no_seed_no_risk_and_disconnected_parts_stay_clean() -> None:
    graph = igraph.Graph(n=4, edges=[(0, 1), (2, 3)])
    assert propagate(graph, {}, {0: 1.0}) == [0.0] * 4
    reached = spread(graph, {0: 1.0})
    assert reached[2] == reached[3] == 0.0
    assert reached[1] > 0


def test_seed_strength_halves_every_half_life() -> None:
    assert decayed(1.0, 0) == 1.0
    assert decayed(1.0, 180, 180) == pytest.approx(0.5)
    assert decayed(0.6, 360, 180) == pytest.approx(0.15)
    assert decayed(1.0, -5, 180) == 1.0  # a date ahead counts as today


def test_communities_separate_two_cliques_joined_by_one_edge_and_repeat() -> None:
    clique = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    edges = clique + [(a + 5, b + 5) for a, b in clique] + [(0, 5)]
    graph = igraph.Graph(n=10, edges=edges)
    first = communities(graph)
    assert len({first[i] for i in range(5)}) == 1
    assert len({first[i] for i in range(5, 10)}) == 1
    assert first[0] != first[5]
    assert communities(graph) == first
