"""Benchmark: import N rows in the KCS layout into a fresh store through the shipped
``kcs`` mapping, the way ``ecomrisk history import`` does; prints rows/s and peak memory.

Usage: .venv/bin/python bench/history_import.py [--rows 1000000] [--database URL]

The rows come from ``ecomrisk.history.kcs.sample_rows`` (well-formed, random; one
goods item per declaration, each with its inspection outcome), written to a CSV
first; only the import is timed. Peak memory is the process's maximum resident
size, so memory that grew with the file would show here.
"""

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.history import Importer, load_mapping
from ecomrisk.history.kcs import COLUMNS, sample_rows
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.settings import get_settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url

WRITE_BATCH = 50_000


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for start in range(0, rows, WRITE_BATCH):
            batch = sample_rows(min(WRITE_BATCH, rows - start), seed=start // WRITE_BATCH)
            writer.writerows(batch)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    settings = get_settings()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kcs.csv"
        write_csv(source, args.rows)
        url = args.database or f"sqlite:///{Path(folder) / 'store.db'}"
        engine = create_engine_for_url(url)
        migrate.upgrade(engine)
        importer = Importer(
            engine,
            load_mapping("kcs"),
            load_profile(settings.jurisdiction),
            bundled_rates(),
            chunk_size=args.chunk,
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        (report,) = [importer.run(s, Path(folder)) for s in importer.sources([source])]
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"rows={report.rows} new={report.new} rejected={report.rejected} "
        f"outcomes={report.outcomes_new} database={url.split(':')[0]} chunk={args.chunk} "
        f"seconds={seconds:.1f} rows_per_s={report.rows / seconds:,.0f} "
        # On a shared machine wall time mostly measures the others: CPU time does not.
        f"cpu_s={cpu:.1f} rows_per_cpu_s={report.rows / cpu:,.0f} "
        f"peak_mb={peak_mb:,.0f} (before import {rss_before:,.0f})"
    )


if __name__ == "__main__":
    main()
