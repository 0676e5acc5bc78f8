"""Personalised PageRank as SQL, so network propagation runs on a batch engine
(Spark for graphs beyond one machine; DuckDB gives the same numbers in process).

The same equation as ``spread`` (igraph): r = (1 - a) p + a P r, with p the
seed strengths made a distribution, solved by power iteration. Each step is one
join of the ranks with the weighted edges and one group-by: every node passes
its rank in equal shares (1 / degree) to its neighbours, and a node with no edge
passes it to the seeds in proportion to p, as PRPACK does. Five steps are chained
in one query, each reading the one before once, so an engine plans them as one
job. A loop of joins rather than GraphX's Pregel (Scala only) or GraphFrames (a
jar, not on PyPI for Spark 4): plain SQL every engine runs, the driver holding
one number per node between queries.
"""

import itertools
from collections.abc import Mapping

import igraph
import pyarrow as pa

from ecomrisk.engines.batch import BatchEngine
from ecomrisk.risk.network.propagate import DAMPING, PRIOR_EXAMS, local_rate, overall_rate

MAX_STEPS = 300
STEPS_PER_QUERY = 5  # steps chained in one query: fewer round trips (planners slow past ~8)
TOLERANCE = 1e-10  # L1 change of the ranks over one query at which the iteration stops


def _step_sql(damping: float, before: str, after: str) -> str:
    a = repr(float(damping))
    return f"""{after} AS (
  SELECT n.node AS node, (1 - {a}) * COALESCE(s.p, 0) + {a} * COALESCE(f.inflow, 0) AS r
  FROM nodes n
  LEFT JOIN reset s ON s.node = n.node
  LEFT JOIN (
    SELECT e.dst AS node, SUM(r.r * e.w) AS inflow
    FROM {before} r JOIN edges e ON e.src = r.node
    GROUP BY e.dst
  ) f ON f.node = n.node
)"""


def steps_sql(damping: float, steps: int = STEPS_PER_QUERY) -> str:
    """``steps`` power-iteration steps from ``ranks(node, r)`` over ``edges(src, dst, w)``
    (the share of src's rank dst gets), ``nodes(node)`` and ``reset(node, p)``."""
    names = ["ranks", *(f"step_{i}" for i in range(1, steps + 1))]
    ctes = ",\n".join(_step_sql(damping, b, a) for b, a in itertools.pairwise(names))
    return f"WITH {ctes}\nSELECT node, r FROM {names[-1]} ORDER BY node"


def _relations(graph: igraph.Graph, seeds: Mapping[int, float]) -> dict[str, pa.Table]:
    degree = graph.degree()
    total = sum(seeds.values())
    reset = sorted((v, s / total) for v, s in seeds.items() if s > 0)
    src: list[int] = []
    dst: list[int] = []
    weight: list[float] = []
    for u, v in graph.get_edgelist():  # undirected: both ways
        src += [u, v]
        dst += [v, u]
        weight += [1.0 / degree[u], 1.0 / degree[v]]
    for node in (n for n, d in enumerate(degree) if d == 0):
        src += [node] * len(reset)
        dst += [v for v, _ in reset]
        weight += [p for _, p in reset]
    return {
        "edges": pa.table(
            {
                "src": pa.array(src, pa.int64()),
                "dst": pa.array(dst, pa.int64()),
                "w": pa.array(weight, pa.float64()),
            }
        ),
        "nodes": pa.table({"node": pa.array(range(graph.vcount()), pa.int64())}),
        "reset": pa.table(
            {
                "node": pa.array([v for v, _ in reset], pa.int64()),
                "p": pa.array([p for _, p in reset], pa.float64()),
            }
        ),
    }


def spread_on(
    batch: BatchEngine, graph: igraph.Graph, amounts: Mapping[int, float], damping: float = DAMPING
) -> list[float]:
    """``spread`` computed on ``batch``."""
    total = sum(amounts.values())
    if total <= 0 or graph.vcount() == 0:
        return [0.0] * graph.vcount()
    relations: dict[str, pa.Table] = dict(_relations(graph, amounts))
    ranks = pa.table(
        {"node": relations["reset"].column("node"), "r": relations["reset"].column("p")}
    )
    sql = steps_sql(damping)
    for _ in range(MAX_STEPS // STEPS_PER_QUERY):
        following = batch.query(sql, {**relations, "ranks": ranks})
        change = _l1(ranks, following, graph.vcount())
        ranks = following
        if change < TOLERANCE:
            break
    scale = total / (1.0 - damping)
    return [scale * r for r in _dense(ranks, graph.vcount())]


def propagate_on(
    batch: BatchEngine,
    graph: igraph.Graph,
    found: Mapping[int, float],
    examined: Mapping[int, float],
    damping: float = DAMPING,
    prior_exams: float = PRIOR_EXAMS,
) -> list[float]:
    """``propagate`` computed on ``batch``: network risk of every vertex, in [0, 1]."""
    return local_rate(
        spread_on(batch, graph, found, damping),
        spread_on(batch, graph, examined, damping),
        overall_rate(found, examined),
        prior_exams,
    )


def _dense(ranks: pa.Table, size: int) -> list[float]:
    out = [0.0] * size
    for node, r in zip(
        ranks.column("node").to_pylist(), ranks.column("r").to_pylist(), strict=True
    ):
        out[node] = float(r)
    return out


def _l1(before: pa.Table, after: pa.Table, size: int) -> float:
    return sum(abs(x - y) for x, y in zip(_dense(before, size), _dense(after, size), strict=True))
