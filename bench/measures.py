"""Benchmark: compute every performance measure and the supply-chain flows over a
synthetic world filed into a fresh store, as the dashboard and ``ecomrisk
measures show`` do; prints wall and CPU seconds per step.

Usage: .venv/bin/python bench/measures.py [--shipments 5000] [--grain week] [--database URL]

The world is filed through the ingestion path first (not timed); then the
board (every measure in every period of the world's window), one measure's
plot, the flow cells, the Sankey and the map are timed. The machine is shared:
read CPU seconds beside wall seconds.
"""

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ecomrisk.demo import DemoReport, file_world, load_outcomes, simulate_world
from ecomrisk.measures import board, flows
from ecomrisk.measures.flow_plots import plot_map, plot_sankey
from ecomrisk.measures.periods import grain_of
from ecomrisk.measures.plots import plot_row
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(label: str, step: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), _cpu()
    result = step()
    print(f"{label:<32} {time.perf_counter() - wall:8.2f} s wall {_cpu() - cpu:8.2f} s CPU")
    return result


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=5_000)
    parser.add_argument("--grain", default="week")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    grain = grain_of(args.grain)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'store.db'}"
        engine = create_engine_for_url(url)
        migrate.upgrade(engine)
        settings = Settings(data_dir=Path(folder))
        world = Path(folder) / "world"
        report = DemoReport(world)
        simulate_world(world, args.shipments, 42, _quiet)
        _timed(
            "file the world (not the subject)",
            lambda: file_world(engine, settings, world, report, _quiet),
        )
        load_outcomes(engine, world, report, _quiet)
        since, until = date.today(), date.today() + timedelta(days=40)
        with engine.connect() as connection:
            context = board.context_for(connection, settings)
            built = _timed(
                f"board: 18 measures by {grain}",
                lambda: board.build(connection, context, since, until, grain),
            )
            periods = len(built.rows[0].overall)
            _timed("one plot (exam rate)", lambda: plot_row(built.rows[6], context.currency))
            _timed("CSV export of the board", lambda: board.to_csv(built))
            cells = _timed("flow cells", lambda: flows.cells(connection, flows.Filters()))
            links = flows.links(cells, "risk")
            _timed("Sankey PNG", lambda: plot_sankey(links, "bench"))
            _timed("map PNG", lambda: plot_map(flows.by_origin(cells, "volume"), "US", "bench"))
        engine.dispose()
    print(f"{args.shipments:,} shipments, {periods} periods, {len(cells):,} flow cells")


if __name__ == "__main__":
    main()
