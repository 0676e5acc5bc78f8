"""History-feature backfill as rows double: CPU per row on each engine and method.

    .venv/bin/python bench/backfill_scale.py --rows 1000000 2000000 4000000 8000000 \
        [--methods bucketed one-query] [--engines duckdb spark] [--tmp DIR] [--out FILE]

For each size, the synthetic feature events of ``spark_scale.synthetic_events``
are written once (not measured) as the Parquet export (``--no-hot-keys``: without
its hot shippers and sellers), then backfilled by each engine and method in turn,
interleaved, so a change in the machine's load falls on all of them alike.
``bucketed`` is DuckDB's default (by key column and hash bucket,
``features/backfill.py``), ``one-query`` the single query of every feature (Spark's
only way: it shuffles that query itself). Measured as
``spark_scale.measure`` does: wall time, CPU of the whole process tree (DuckDB's
threads, Spark's JVM, its start included, and its Python workers) and its peak
RSS, with the load average before and after. Each backfill runs in a process of
its own, so no engine's memory, threads or JVM outlive its measurement into the
next. Results print as Markdown for docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from spark_scale import measure, synthetic_events

from ecomrisk.engines.batch import batch_engine
from ecomrisk.features import backfill as backfill_module

DAY_OFFSET_S = -5 * 3600


def backfill_once(engine_name: str, method: str, export: Path, out: Path) -> dict[str, Any]:
    """One measured backfill, in a new process; its figures."""
    command = [sys.executable, __file__, "--one", engine_name, method, str(export), str(out)]
    # Its errors go to this process's stderr; its figures come back on stdout.
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


def _measured(engine_name: str, method: str, export: Path, out: Path) -> dict[str, Any]:
    """The backfill measured in this process (a child of ``backfill_once``)."""
    engine = batch_engine(engine_name, "local[2]")
    if method == "one-query":  # no bucket size for the engine: the one query
        backfill_module.BUCKET_ROWS.pop(engine_name, None)
    figures = measure(lambda: backfill_module.backfill(None, DAY_OFFSET_S, out, engine, export))
    figures["load_after"] = round(os.getloadavg()[0], 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb"])
    parser.add_argument("--methods", nargs="+", default=["bucketed", "one-query"])
    parser.add_argument(
        "--tmp", type=Path, help="Where the exports go (needs ~1 GB a million rows)"
    )
    parser.add_argument(
        "--no-hot-keys",
        action="store_true",
        help="Shippers and sellers drawn uniformly, none holding many filings",
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)  # engine method export out
    args = parser.parse_args()
    if args.one:
        engine_name, method, export, out = args.one
        print(json.dumps(_measured(engine_name, method, Path(export), Path(out))))
        return
    results: list[dict[str, Any]] = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            export = Path(tmp) / "export"
            synthetic_events(rows, export, hot_keys=not args.no_hot_keys)
            for engine_name in args.engines:
                # Spark has no bucketed path (BUCKET_ROWS): it shuffles its one query itself.
                methods = args.methods if engine_name == "duckdb" else ["one-query"]
                for method in methods:
                    figures = backfill_once(engine_name, method, export, Path(tmp) / "features")
                    results.append(
                        {"rows": rows, "engine": engine_name, "method": method, **figures}
                    )
                    print(json.dumps(results[-1]), flush=True)
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
        f"({platform.machine()}), Python {platform.python_version()}\n"
    )
    print(
        "| rows | engine | method | wall s | CPU s (tree) | CPU µs a row | × CPU per × 2 rows "
        "| peak RSS MB (tree) | load before → after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    previous: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results:
        key = (r["engine"], r["method"])
        before = previous.get(key)
        growth = (
            f"{r['tree_cpu_s'] / before['tree_cpu_s']:.2f}"
            if before is not None and r["rows"] == 2 * before["rows"]
            else ""
        )
        previous[key] = r
        print(
            f"| {r['rows']:,} | {r['engine']} | {r['method']} | {r['wall_s']} | "
            f"{r['tree_cpu_s']} | {r['tree_cpu_s'] / r['rows'] * 1e6:.1f} | {growth} | "
            f"{r['tree_peak_rss_mb']} | {r['load_1min']} → {r['load_after']} |"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
