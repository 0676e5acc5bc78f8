"""The pure parts: the catalogue matches its docs, periods cut a window exactly,
flow links keep the totals, the Sankey layout is proportional, the map's
geometry decodes offline."""

import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrisk.measures import flows, geo
from ecomrisk.measures.catalogue import MEASURES, UnknownMeasureError, measure
from ecomrisk.measures.compute import COMPUTE
from ecomrisk.measures.flow_plots import sankey_layout
from ecomrisk.measures.periods import PeriodError, spans

DOC = Path(__file__).parents[2] / "docs" / "measures.md"


def test_every_measure_is_computed_and_documented() -> None:
    text = DOC.read_text("utf-8")
    assert [m.name for m in MEASURES] == list(COMPUTE)
    missing = [m.name for m in MEASURES if f"| `{m.name}` |" not in text]
    assert missing == []
    with pytest.raises(UnknownMeasureError, match=r"^measure: 'nope'"):
        measure("nope")


@given(
    st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    st.integers(1, 500),
    st.sampled_from(["day", "week", "month"]),
)
def test_periods_tile_the_window(since: date, days: int, grain: str) -> None:
    until = date.fromordinal(since.toordinal() + days)
    try:
        found = spans(since, until, grain)  # type: ignore[arg-type]
    except PeriodError:
        assert grain == "day"
        assert days > 400
        return
    assert found[0].since == since
    assert found[-1].until == until
    for a, b in itertools.pairwise(found):
        assert a.until == b.since
    if grain == "week":
        assert all(s.since.weekday() == 0 for s in found[1:])
    if grain == "month":
        assert all(s.since.day == 1 for s in found[1:])


def test_a_window_must_move_forward() -> None:
    with pytest.raises(PeriodError, match=r"^to: "):
        spans(date(2026, 2, 1), date(2026, 1, 1), "week")


def _cell(origin: str, filer: str, port: str, dest: str, n: int) -> flows.Cell:
    return flows.Cell(origin, filer, port, dest, "XI", n, 10.0 * n, 0.1 * n)


def test_links_keep_every_stage_total_and_fold_small_nodes() -> None:
    cells = [_cell(f"C{i}", f"F{i % 3}", "P1", "NY", i + 1) for i in range(20)]
    links = flows.links(cells, "value", top=5)
    total = sum(c.value for c in cells)
    for stage in range(3):
        assert sum(k.weight for k in links if k.stage == stage) == pytest.approx(total)
    origins = {k.source for k in links if k.stage == 0}
    assert "other" in origins
    assert len(origins) == 6
    nodes = sankey_layout(links)
    heights = {k: n.y1 - n.y0 for k, n in nodes.items()}
    # One scale for every stage: the lone port is as tall as all origins together.
    assert heights[(2, "P1")] == pytest.approx(
        sum(h for (s, _), h in heights.items() if s == 0), rel=0.1
    )
    assert all(0 <= n.y0 <= n.y1 <= 1 for n in nodes.values())


def test_world_geometry_decodes_offline() -> None:
    countries = geo.countries()
    assert len(countries) > 150
    lon, lat = geo.centroid("CN")  # type: ignore[misc]
    assert 90 < lon < 120
    assert 25 < lat < 45
    # Russia crosses the antimeridian: drawn as two continuous copies.
    parts = [p for ring in countries["RU"] for p in geo.unwrapped(ring)]
    for part in parts:
        xs = [x for x, _ in part]
        assert max(xs) - min(xs) <= 360
