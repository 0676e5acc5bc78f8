"""The supply-chain map drawn on the server (matplotlib PNG): a four-stage Sankey
(origin -> filer -> port -> destination) and a world map of origins with flow
lines to the importing country. Layout is pure (``sankey_layout``); drawing is
matplotlib patches."""

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from ecomrisk.measures import geo
from ecomrisk.measures.flows import STAGES, Link
from ecomrisk.measures.plots import png

GAP = 0.02  # vertical gap between nodes of a stage, as a share of the height
NODE_WIDTH = 0.03


@dataclass(frozen=True)
class Node:
    stage: int
    name: str
    weight: float
    y0: float  # bottom, in [0, 1]
    y1: float


def sankey_layout(links: Sequence[Link]) -> dict[tuple[int, str], Node]:
    """Nodes of each stage stacked top-down by weight, heights proportional to the
    flow through them, all stages on one scale."""
    inflow: dict[tuple[int, str], float] = {}
    outflow: dict[tuple[int, str], float] = {}
    for link in links:
        outflow[(link.stage, link.source)] = (
            outflow.get((link.stage, link.source), 0.0) + link.weight
        )
        key = (link.stage + 1, link.target)
        inflow[key] = inflow.get(key, 0.0) + link.weight
    # A node's weight: the larger of what enters and what leaves it.
    weights = {k: max(inflow.get(k, 0.0), outflow.get(k, 0.0)) for k in {*inflow, *outflow}}
    stage_totals = [sum(w for (s, _), w in weights.items() if s == i) for i in range(len(STAGES))]
    scale = max(stage_totals) if stage_totals and max(stage_totals) > 0 else 1.0
    crowded = max(sum(1 for s, _ in weights if s == i) for i in range(len(STAGES)))
    # One height per unit of weight on every stage: the most crowded stage's gaps
    # set what is left for the flow.
    usable = 1.0 - GAP * max(crowded - 1, 0)
    nodes = {}
    for stage in range(len(STAGES)):
        members = sorted(
            ((n, w) for (s, n), w in weights.items() if s == stage),
            key=lambda item: (item[0] == "other", -item[1], item[0]),
        )
        top = 1.0
        for name, weight in members:
            height = usable * weight / scale
            nodes[(stage, name)] = Node(stage, name, weight, top - height, top)
            top -= height + GAP
    return nodes


def _band(x0: float, x1: float, a: tuple[float, float], b: tuple[float, float]) -> MplPath:
    """A band from the span ``a`` at x0 to ``b`` at x1 with cubic edges."""
    middle = (x0 + x1) / 2
    vertices = [
        (x0, a[1]),
        (middle, a[1]),
        (middle, b[1]),
        (x1, b[1]),
        (x1, b[0]),
        (middle, b[0]),
        (middle, a[0]),
        (x0, a[0]),
        (x0, a[1]),
    ]
    codes = [MplPath.MOVETO] + [MplPath.CURVE4] * 3 + [MplPath.LINETO] + [MplPath.CURVE4] * 3
    return MplPath(vertices, [*codes, MplPath.CLOSEPOLY])


def plot_sankey(links: Sequence[Link], title: str) -> bytes:
    figure, axis = plt.subplots(figsize=(11, 6), layout="constrained")
    axis.set_axis_off()
    axis.set_title(title, fontsize=10)
    if not links:
        axis.text(0.5, 0.5, "no shipments match the filters", ha="center")
        return png(figure)
    nodes = sankey_layout(links)
    scale = {key: (n.y1 - n.y0) / n.weight if n.weight else 0.0 for key, n in nodes.items()}
    xs = [i / (len(STAGES) - 1) * (1 - NODE_WIDTH) for i in range(len(STAGES))]
    out_used: dict[tuple[int, str], float] = {}
    in_used: dict[tuple[int, str], float] = {}
    colours = plt.get_cmap("tab20")
    origins = sorted({n.name for n in nodes.values() if n.stage == 0})
    for link in sorted(links, key=lambda k: (k.stage, -k.weight)):
        source, target = (link.stage, link.source), (link.stage + 1, link.target)
        s, t = nodes[source], nodes[target]
        hs, ht = link.weight * scale[source], link.weight * scale[target]
        a_top = s.y1 - out_used.get(source, 0.0)
        b_top = t.y1 - in_used.get(target, 0.0)
        out_used[source] = out_used.get(source, 0.0) + hs
        in_used[target] = in_used.get(target, 0.0) + ht
        colour = colours(origins.index(link.source) % 20) if link.stage == 0 else "grey"
        path = _band(
            xs[link.stage] + NODE_WIDTH,
            xs[link.stage + 1],
            (a_top - hs, a_top),
            (b_top - ht, b_top),
        )
        axis.add_patch(PathPatch(path, facecolor=colour, alpha=0.35, linewidth=0))
    for node in nodes.values():
        x = xs[node.stage]
        axis.add_patch(Rectangle((x, node.y0), NODE_WIDTH, node.y1 - node.y0, color="black"))
        left = node.stage == len(STAGES) - 1
        axis.text(
            x - 0.005 if left else x + NODE_WIDTH + 0.005,
            (node.y0 + node.y1) / 2,
            node.name,
            ha="right" if left else "left",
            va="center",
            fontsize=7,
        )
    for i, stage in enumerate(STAGES):
        axis.text(xs[i], 1.03, stage, fontsize=8, weight="bold")
    axis.set_xlim(-0.02, 1.02)
    axis.set_ylim(-0.02, 1.06)
    return png(figure)


def plot_map(by_origin: dict[str, float], destination: str, title: str) -> bytes:
    """Origin countries shaded by weight, with a line to the importing country whose
    width follows the weight."""
    figure, axis = plt.subplots(figsize=(11, 5.5), layout="constrained")
    axis.set_title(title, fontsize=10)
    axis.set_axis_off()
    top = max(by_origin.values(), default=0.0) or 1.0
    shades = plt.get_cmap("OrRd")
    for code, rings in geo.countries().items():
        weight = by_origin.get(code, 0.0)
        face = shades(0.15 + 0.85 * weight / top) if weight > 0 else "#eeeeee"
        if code == destination:
            face = "#4a78b5"
        for ring in (part for whole in rings for part in geo.unwrapped(whole)):
            axis.add_patch(
                Polygon(ring, closed=True, facecolor=face, edgecolor="white", linewidth=0.3)
            )
    end = geo.centroid(destination)
    if end is not None:
        for code, weight in sorted(by_origin.items(), key=lambda item: item[1]):
            start = geo.centroid(code)
            if start is None or code == destination or weight <= 0:
                continue
            axis.annotate(
                "",
                xy=end,
                xytext=start,
                arrowprops={
                    "arrowstyle": "-",
                    "connectionstyle": "arc3,rad=0.2",
                    "linewidth": 0.5 + 4 * weight / top,
                    "color": "tab:red",
                    "alpha": 0.6,
                },
            )
    axis.set_xlim(-180, 180)
    axis.set_ylim(-60, 85)
    axis.set_aspect("equal")
    return png(figure)
