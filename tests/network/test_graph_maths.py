"""Components, spanning forests, propagation and communities on graphs whose answers
are known: networkx is the oracle for components, hand-built graphs for the rest."""

import random

import igraph
import networkx as nx
import pytest

from ecomrisk.risk.network.components import components, strongest_forest
from ecomrisk.risk.network.propagate import communities, decayed, propagate


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


def test_risk_falls_with_distance_from_a_seed() -> None:
    path = igraph.Graph(n=6, edges=[(i, i + 1) for i in range(5)])
    risk = propagate(path, {0: 0.05})  # weak, so that nothing reaches the cap of 1
    assert risk[0] >= 0.05  # a seed scores at least its own strength
    assert all(risk[i] > risk[i + 1] for i in range(1, 5))
    assert propagate(path, {0: 1.0})[0] == 1.0  # capped
    assert risk[5] > 0


def test_propagation_keeps_the_total_seed_strength() -> None:
    graph = igraph.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)])
    risk = propagate(graph, {0: 0.2}, damping=0.85)
    assert sum(r * (1 - 0.85) for r in risk) == pytest.approx(0.2)


def test_a_hub_passes_less_to_each_neighbour() -> None:
    # Seed 0 links to a hub (1) with many leaves and to a node (2) with one leaf.
    edges = [(0, 1), (0, 2), (2, 3)] + [(1, leaf) for leaf in range(4, 24)]
    risk = propagate(igraph.Graph(n=24, edges=edges), {0: 1.0})
    assert risk[3] > risk[4]


def test_no_seed_no_risk_and_disconnected_parts_stay_clean() -> None:
    graph = igraph.Graph(n=4, edges=[(0, 1), (2, 3)])
    assert propagate(graph, {}) == [0.0] * 4
    risk = propagate(graph, {0: 1.0})
    assert risk[2] == risk[3] == 0.0
    assert risk[1] > 0


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
