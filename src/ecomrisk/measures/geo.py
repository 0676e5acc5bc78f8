"""Country outlines for the supply-chain map, offline: Natural Earth 1:110m as
TopoJSON from the npm package ``world-atlas`` 2.0.2 (vendored in ``data/`` with
its ISC licence; Natural Earth is public domain). Decoded here, pure."""

import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

WORLD = Path(__file__).parent / "data" / "countries-110m.json"

Ring = list[tuple[float, float]]  # (longitude, latitude)


def _arcs(topology: dict[str, Any]) -> list[Ring]:
    """Absolute coordinates of every arc (TopoJSON quantises and delta-encodes them)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        ring = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            ring.append((x * sx + tx, y * sy + ty))
        out.append(ring)
    return out


def _ring(indexes: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]  # ~i: arc i reversed
        points.extend(arc if not points else arc[1:])
    return points


def unwrapped(ring: Ring) -> list[Ring]:
    """A ring crossing the antimeridian (Russia, Fiji) as two copies, east and west,
    each continuous, so that a flat map does not draw a band across the world."""
    crosses = any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(ring))
    if not crosses:
        return [ring]
    east = [(x + 360 if x < 0 else x, y) for x, y in ring]
    return [east, [(x - 360, y) for x, y in east]]


def _alpha2(numeric: str | None) -> str | None:
    if not numeric:
        return None
    country = pycountry.countries.get(numeric=numeric)
    return country.alpha_2 if country else None


@cache
def countries() -> dict[str, list[Ring]]:
    """Outer and inner rings of each country, by ISO 3166-1 alpha-2 (disputed areas
    without a code are kept under their name)."""
    topology = json.loads(WORLD.read_text())
    arcs = _arcs(topology)
    out: dict[str, list[Ring]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        key = _alpha2(geometry.get("id")) or geometry["properties"]["name"]
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        out.setdefault(key, []).extend(rings)
    return out


def centroid(code: str) -> tuple[float, float] | None:
    """The centre of a country's largest ring (good enough to anchor a flow line)."""
    rings = countries().get(code)
    if not rings:
        return None
    largest = max(rings, key=len)
    xs, ys = [p[0] for p in largest], [p[1] for p in largest]
    return sum(xs) / len(xs), sum(ys) / len(ys)
