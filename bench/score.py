"""Scoring benchmark: the latency deciding adds to one filing (online), and batch
rescoring end to end beside the floor, bare rule evaluation on a ready feature matrix.

    .venv/bin/python bench/score.py [--history 10000] [--online 1000] [--postgres URL]

A synthetic world of --history shipments is filed first (each decided, as in
production), so the feature queries have history to read; then --online more
filings are written one per transaction and the decision step is timed apart.
Results print as Markdown for docs/benchmarks.md.
"""

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
from sqlalchemy import Connection, Engine, text

from ecomrisk.demo import DemoReport, _ensure_filers, file_world, screen, simulate_world
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.features.matrix import feature_matrix
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.context import decider, feature_context
from ecomrisk.risk.rescore import rescore
from ecomrisk.risk.rules import evaluate
from ecomrisk.risk.rules.sql import rule_hits_sql
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.shipments_repo import Submission, write_shipments


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def build(engine: Engine, settings: Settings, world: Path, history: int) -> None:
    simulate_world(world, history, 42, _quiet)
    report = DemoReport(world)
    screen(engine, world, report)
    file_world(engine, settings, world, report, _quiet)


def online(engine: Engine, settings: Settings, extra: Path, count: int) -> dict[str, float]:
    """Write ``count`` filings one per transaction; time the write and the decision apart."""
    simulate_world(extra, count, 7, _quiet)
    filer_ids = _ensure_filers(engine, extra)
    profile = load_profile(settings.jurisdiction)
    deciding = decider(engine, settings)
    decide_ms: list[float] = []
    write_ms: list[float] = []

    def timed(connection: Connection, sids: list[int]) -> None:
        started = time.perf_counter()
        deciding.written(connection, sids)
        decide_ms.append((time.perf_counter() - started) * 1000)

    suffix = uuid.uuid4().hex[:6]
    for path in sorted((extra / "filings").glob("*.ndjson")):
        for line in path.read_text().splitlines():
            data = json.loads(line)
            data["filer_reference"] += f"-{suffix}"  # new keys: never a replay
            filing = ShipmentFiling.model_validate(data)
            started = time.perf_counter()
            with engine.begin() as connection:
                write_shipments(
                    connection,
                    filer_ids[path.stem],
                    [Submission(filing)],
                    profile=profile,
                    actor="bench",
                    on_written=timed,
                )
            write_ms.append((time.perf_counter() - started) * 1000)
    return {
        "filings": len(write_ms),
        "filing_p50": _percentile(write_ms, 50),
        "filing_p99": _percentile(write_ms, 99),
        "decide_p50": _percentile(decide_ms, 50),
        "decide_p99": _percentile(decide_ms, 99),
    }


def batch(engine: Engine, settings: Settings) -> dict[str, float]:
    context = feature_context(engine, settings)
    with engine.connect() as connection:
        ruleset = rulesets_repo.with_status(connection, "live")[0]

    def clock(work: Callable[[], object]) -> tuple[float, object]:
        started = time.perf_counter()
        result = work()
        return time.perf_counter() - started, result

    matrix_s, matrix = clock(lambda: feature_matrix(engine, context))
    rows = matrix.to_pylist()  # type: ignore[attr-defined]
    python_s, _ = clock(lambda: [evaluate(ruleset, row, row["received_at"].date()) for row in rows])
    with duckdb.connect() as duck:
        duck.register("matrix", matrix)
        duckdb_s, _ = clock(lambda: duck.sql(rule_hits_sql(ruleset, "matrix")).fetchall())
    rescore_s, decided = clock(lambda: rescore(engine, context))
    n = len(rows)
    return {
        "rows": n,
        "matrix_per_s": n / matrix_s,
        "rules_python_per_s": n / python_s,
        "rules_duckdb_per_s": n / duckdb_s,
        "rescore_per_s": float(decided) / rescore_s,  # type: ignore[arg-type]
    }


def run(url: str, label: str, history: int, count: int, folder: Path) -> None:
    engine = create_engine_for_url(url)
    settings = Settings(database_url=url, data_dir=folder)
    migrate.upgrade(engine)
    build(engine, settings, folder / "history", history)
    o = online(engine, settings, folder / "online", count)
    b = batch(engine, settings)
    print(f"\n### {label}: {history:,} shipments of history\n")
    print("| measure | value |\n|---|---|")
    filing = f"{o['filing_p50']:.1f} / {o['filing_p99']:.1f} ms"
    deciding = f"{o['decide_p50']:.1f} / {o['decide_p99']:.1f} ms"
    print(f"| one filing written and decided, p50 / p99 | {filing} |")
    print(f"| of which the decision, p50 / p99 | {deciding} |")
    print(f"| batch feature matrix | {b['matrix_per_s']:,.0f} rows/s |")
    print(f"| floor: rules in Python on the ready matrix | {b['rules_python_per_s']:,.0f} rows/s |")
    duck = f"{b['rules_duckdb_per_s']:,.0f} rows/s"
    print(f"| floor: rules as SQL in DuckDB on the ready matrix | {duck} |")
    print(
        f"| batch rescoring end to end (`ecomrisk score`) | {b['rescore_per_s']:,.0f} decisions/s |"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--online", type=int, default=1_000)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL; a schema of its own is made and dropped"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", "SQLite", args.history, args.online, Path(folder) / "s")
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine_for_url(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            joiner = "&" if "?" in args.postgres else "?"
            url = f"{args.postgres}{joiner}options=-csearch_path%3D{schema}"
            with tempfile.TemporaryDirectory() as folder:
                run(url, "PostgreSQL", args.history, args.online, Path(folder) / "p")
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
