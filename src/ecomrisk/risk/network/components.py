"""Connected components and spanning forests of plain edge lists, on igraph's C core.

Entity resolution and the link graph both need them over millions of edges;
networkx (pure Python) is the oracle they are tested against.
"""

from collections.abc import Sequence


def components(count: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """The component of each vertex 0..count-1, numbered by its smallest vertex."""
    import igraph  # loaded by the first batch run, not on every filing or command

    graph = igraph.Graph(n=count, edges=list(edges), directed=False)
    membership = graph.connected_components().membership
    smallest: dict[int, int] = {}
    for vertex, component in enumerate(membership):
        smallest.setdefault(component, vertex)  # vertices come in order: first is smallest
    return [smallest[c] for c in membership]


def strongest_forest(
    count: int, edges: Sequence[tuple[int, int]], weights: Sequence[float]
) -> list[int]:
    """Indexes of the edges of a maximum-weight spanning forest: the strongest links
    that still join every component, enough to explain why it is one."""
    if not edges:
        return []
    import igraph  # loaded by the first batch run, not on every filing or command

    graph = igraph.Graph(n=count, edges=list(edges), directed=False)
    return list(graph.spanning_tree(weights=[-w for w in weights], return_tree=False))
