"""Scoring benchmark: the latency deciding adds to one filing (online), and batch
rescoring end to end beside the floor, bare rule and model evaluation on a ready
feature matrix.

    .venv/bin/python bench/score.py [--history 10000] [--online 1000] [--postgres URL]
        [--online-only] [--commit-checkpoints]

A synthetic world of --history shipments is filed first (each decided, as in
production, against the world's watch lists), so the feature queries have
history to read; then --online more filings are written one per transaction,
alternately without the decider and with it: the difference of the p50/p99
latencies is what deciding adds to the ingest call; the decider hook is also
timed alone, and the CPU time (process time) per filing is reported beside the
wall clock, since it moves less on a shared machine. Batch: the world's exam
outcomes are recorded and a model trained on them is made live (after the
online part, whose figures stay those of deciding on rules alone), then
``rescore`` end to end beside the floor: the live rules and the live model on
the ready feature matrix (rules by Python ``evaluate`` per row, or by
``rule_hits_sql`` in DuckDB; the model by ``assess_many`` over all rows), the
same decision work rescoring does, without reading or writing anything.
Results print as Markdown for docs/benchmarks.md.
"""

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, Engine, text

from ecomrisk.demo import (
    DemoReport,
    _ensure_filers,
    file_world,
    load_outcomes,
    screen,
    simulate_world,
    train_and_promote,
)
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.features.matrix import feature_matrix
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.context import decider, feature_context
from ecomrisk.risk.model.live import ModelCache
from ecomrisk.risk.rescore import rescore
from ecomrisk.risk.rules import evaluate
from ecomrisk.risk.rules.model import conditions
from ecomrisk.risk.rules.sql import rule_hits_sql
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.checkpoint import WalCheckpointer
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.shipments_repo import Submission, Written, write_shipments


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def build(engine: Engine, settings: Settings, world: Path, history: int) -> None:
    simulate_world(world, history, 42, _quiet)
    report = DemoReport(world)
    screen(engine, world, report)
    file_world(engine, settings, world, report, _quiet)


def with_model(engine: Engine, settings: Settings, world: Path) -> str:
    """Record the world's exam outcomes and make a model trained on them live, as the
    demo does: the floor and rescoring then both evaluate rules and model."""
    report = DemoReport(world)
    load_outcomes(engine, world, report, _quiet)
    train_and_promote(engine, settings, report, _quiet, seed=42)
    if report.model is None:
        raise SystemExit(f"no model: {report.model_problem}")
    return report.model


def online(
    engine: Engine, settings: Settings, extra: Path, count: int, checkpoint: bool = True
) -> dict[str, float]:
    """Write ``count`` filings one per transaction, alternately without and with the
    decider; wall and CPU time of each, and of the decider hook alone. ``checkpoint``:
    SQLite's log checkpointed in the background, as ``ecomrisk serve`` does."""
    checkpointer = WalCheckpointer(engine)
    if checkpoint:
        checkpointer.start()
    try:
        return _online(engine, settings, extra, count)
    finally:
        checkpointer.stop()


def _online(engine: Engine, settings: Settings, extra: Path, count: int) -> dict[str, float]:
    simulate_world(extra, count, 7, _quiet)
    filer_ids = _ensure_filers(engine, extra)
    profile = load_profile(settings.jurisdiction)
    deciding = decider(engine, settings)
    hook_ms: list[float] = []
    wall: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}

    def timed(connection: Connection, written: list[Written]) -> None:
        started = time.perf_counter()
        deciding.written(connection, written)
        hook_ms.append((time.perf_counter() - started) * 1000)

    suffix = uuid.uuid4().hex[:6]
    lines = [
        (path.stem, line)
        for path in sorted((extra / "filings").glob("*.ndjson"))
        for line in path.read_text().splitlines()
    ]
    for i, (code, line) in enumerate(lines):
        data = json.loads(line)
        data["filer_reference"] += f"-{suffix}"  # new keys: never a replay
        filing = ShipmentFiling.model_validate(data)
        decide = i % 2 == 1
        started, cpu_started = time.perf_counter(), time.process_time()
        with engine.begin() as connection:
            write_shipments(
                connection,
                filer_ids[code],
                [Submission(filing)],
                profile=profile,
                actor="bench",
                on_written=timed if decide else None,
            )
        wall[decide].append((time.perf_counter() - started) * 1000)
        cpu[decide].append((time.process_time() - cpu_started) * 1000)
    return {
        "filings": len(lines),
        "plain_p50": _percentile(wall[False], 50),
        "plain_p99": _percentile(wall[False], 99),
        "filing_p50": _percentile(wall[True], 50),
        "filing_p99": _percentile(wall[True], 99),
        "hook_p50": _percentile(hook_ms, 50),
        "hook_p99": _percentile(hook_ms, 99),
        "plain_cpu": statistics.mean(cpu[False]),
        "filing_cpu": statistics.mean(cpu[True]),
    }


def batch(engine: Engine, settings: Settings) -> dict[str, float]:
    context = feature_context(engine, settings)
    with engine.connect() as connection:
        ruleset = rulesets_repo.with_status(connection, "live")[0]
        model = ModelCache().current(connection)[0]
    assert model is not None, "the batch part needs a live model (with_model)"

    def clock(work: Callable[[], object], paused: bool = False) -> tuple[float, float, object]:
        """Wall and CPU seconds of ``work``; ``paused``: with the cyclic garbage collector
        paused, as rescoring runs (``risk/rescore.py``), so the floor is not charged the
        full collections rescoring avoids (they cost the model's evaluation ~30 %)."""
        if paused:
            gc.disable()
        try:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = work()
            return time.perf_counter() - started, time.process_time() - cpu_started, result
        finally:
            gc.enable()

    feature_matrix(engine, context)  # warm-up: first DuckDB and Arrow use in the process
    matrix_s, matrix_cpu, matrix = clock(lambda: feature_matrix(engine, context))
    rows = matrix.to_pylist()  # type: ignore[attr-defined]
    for row in rows:
        row.pop("sid")
    python_s, python_cpu, _ = clock(
        lambda: [evaluate(ruleset, row, row["received_at"].date()) for row in rows], paused=True
    )
    model.assess_many(rows[:100])  # warm-up: XGBoost's first prediction
    model_s, model_cpu, _ = clock(lambda: model.assess_many(rows), paused=True)
    # Features the rules name that the matrix has no column for (the counter-network
    # ones, added by rescoring from the latest build) are missing: NULL, as in Python.
    named = {c.feature for rule in ruleset.rules for c in conditions(rule.when)}
    ready: pa.Table = matrix
    for name in sorted(named - set(ready.column_names)):
        ready = ready.append_column(name, pa.nulls(ready.num_rows))
    with duckdb.connect() as duck:
        duck.register("matrix", ready)
        duck.sql(rule_hits_sql(ruleset, "matrix")).fetchall()  # warm-up: parse and plan
        duckdb_s, duckdb_cpu, _ = clock(
            lambda: duck.sql(rule_hits_sql(ruleset, "matrix")).fetchall(), paused=True
        )
    rescore_s, rescore_cpu, decided = clock(lambda: rescore(engine, context))
    n = len(rows)
    return {
        "rows": n,
        "matrix_per_s": n / matrix_s,
        "matrix_per_cpu_s": n / matrix_cpu,
        "rules_python_per_s": n / python_s,
        "rules_python_per_cpu_s": n / python_cpu,
        "rules_duckdb_per_s": n / duckdb_s,
        "rules_duckdb_per_cpu_s": n / max(duckdb_cpu, 1e-9),
        "model_per_s": n / model_s,
        "model_per_cpu_s": n / model_cpu,
        # The floor: rules and model, one after the other, on the same rows.
        "floor_python_per_s": n / (python_s + model_s),
        "floor_python_per_cpu_s": n / (python_cpu + model_cpu),
        "floor_duckdb_per_s": n / (duckdb_s + model_s),
        "floor_duckdb_per_cpu_s": n / (duckdb_cpu + model_cpu),
        "rescore_per_s": float(decided) / rescore_s,  # type: ignore[arg-type]
        "rescore_per_cpu_s": float(decided) / rescore_cpu,  # type: ignore[arg-type]
    }


def run(
    url: str,
    label: str,
    history: int,
    count: int,
    folder: Path,
    with_batch: bool = True,
    checkpoint: bool = True,
) -> None:
    engine = create_engine_for_url(url)
    settings = Settings(database_url=url, data_dir=folder)
    migrate.upgrade(engine)
    build(engine, settings, folder / "history", history)
    o = online(engine, settings, folder / "online", count, checkpoint)
    b, model = {}, ""
    if with_batch:
        model = with_model(engine, settings, folder / "history")
        b = batch(engine, settings)
    print(
        f"\n### {label}: {history:,} shipments of history, background checkpoints "
        f"{'on' if checkpoint else 'off'}, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| measure | wall clock | CPU (process time) |\n|---|---|---|")
    print(
        f"| one filing written, no decision, p50 / p99 | {o['plain_p50']:.1f} / "
        f"{o['plain_p99']:.1f} ms | {o['plain_cpu']:.2f} ms mean |"
    )
    print(
        f"| one filing written and decided, p50 / p99 | {o['filing_p50']:.1f} / "
        f"{o['filing_p99']:.1f} ms | {o['filing_cpu']:.2f} ms mean |"
    )
    print(
        f"| what deciding adds (difference), p50 / p99 | {o['filing_p50'] - o['plain_p50']:.1f} / "
        f"{o['filing_p99'] - o['plain_p99']:.1f} ms | "
        f"{o['filing_cpu'] - o['plain_cpu']:.2f} ms mean |"
    )
    print(f"| the decider hook alone, p50 / p99 | {o['hook_p50']:.1f} / {o['hook_p99']:.1f} ms | |")
    if not b:
        engine.dispose()
        return
    print(f"\nBatch, {b['rows']:,} rows, live model {model}:\n")
    print("| measure | wall clock | CPU (process time) |\n|---|---|---|")
    for label_, key in (
        ("batch feature matrix", "matrix"),
        ("rules in Python on the ready matrix", "rules_python"),
        ("rules as SQL in DuckDB on the ready matrix", "rules_duckdb"),
        ("the model on the ready matrix", "model"),
        ("**floor: rules in Python and the model**", "floor_python"),
        ("floor: rules in DuckDB and the model", "floor_duckdb"),
        ("batch rescoring end to end (`ecomrisk score`)", "rescore"),
    ):
        wall, cpu = b[key + "_per_s"], b[key + "_per_cpu_s"]
        print(f"| {label_} | {wall:,.0f} rows/s | {cpu:,.0f} rows/CPU-s |")
    share = 100 * b["rescore_per_s"] / b["floor_python_per_s"]
    share_cpu = 100 * b["rescore_per_cpu_s"] / b["floor_python_per_cpu_s"]
    print(f"| **rescoring as a share of the floor** | **{share:.0f} %** | **{share_cpu:.0f} %** |")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--online", type=int, default=1_000)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL; a schema of its own is made and dropped"
    )
    parser.add_argument("--online-only", action="store_true", help="skip the batch part")
    parser.add_argument(
        "--commit-checkpoints",
        action="store_true",
        help="leave SQLite's log to commits (its default) instead of the server's thread",
    )
    args = parser.parse_args()
    batch_too, ckpt = not args.online_only, not args.commit_checkpoints
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s"
        url = f"sqlite:///{folder}/bench.db"
        run(url, "SQLite", args.history, args.online, path, batch_too, ckpt)
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine_for_url(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            joiner = "&" if "?" in args.postgres else "?"
            url = f"{args.postgres}{joiner}options=-csearch_path%3D{schema}"
            with tempfile.TemporaryDirectory() as folder:
                run(url, "PostgreSQL", args.history, args.online, Path(folder) / "p", batch_too)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
