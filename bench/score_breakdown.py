"""Scoring benchmark: batch rescoring beside bare rule evaluation (the floor), and the
latency deciding adds to one filing's ingest call.

    .venv/bin/python bench/score_breakdown.py [--shipments 20000] [--online 2000] [--postgres URL]

A synthetic world of ``--shipments`` filings (plus ``--online`` held out) is filed
through the bulk ingestion path, each version's feature event recorded as the
decider would, and the world's exam outcomes loaded. Then, on each database:

- **batch**: ``rescore`` end to end (decisions/s), and its parts timed one by one
  the way ``rescore`` runs them (feature matrix, decide loop, decision inserts);
- **floor**: the live rule set evaluated alone on the ready feature matrix, by the
  Python ``evaluate`` per row and by ``rule_hits_sql`` in DuckDB;
- **online**: the held-out filings written one per transaction by
  ``write_shipments``, alternately with ``on_written=None`` and with the decider;
  the difference of the p50/p99 latencies is what deciding adds.

Results are printed as Markdown tables for docs/benchmarks.md.
"""

import argparse
import io
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Connection, Engine, select, text

from ecomrisk.demo import _ensure_filers, simulate_world
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Outcome, ShipmentFiling
from ecomrisk.features.batch import batch_history_features
from ecomrisk.features.events import record_written_events
from ecomrisk.features.matrix import FeatureContext, feature_matrix
from ecomrisk.ingest.bulk import ingest_records
from ecomrisk.ingest.formats import ndjson_records
from ecomrisk.ingest.validate import RecordKind
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.reference.unit_values import bundled_unit_values
from ecomrisk.risk import decision_rows, rulesets_repo
from ecomrisk.risk.decide import Decider, DecisionContext
from ecomrisk.risk.decision import decide
from ecomrisk.risk.rescore import RESCORE_CHUNK_ROWS, rescore
from ecomrisk.risk.rules import evaluate
from ecomrisk.risk.rules.sql import rule_hits_sql
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.fx_repo import latest_rates
from ecomrisk.store.outcomes_repo import OutcomeError, current_version_id, record_outcome
from ecomrisk.store.schema import shipments
from ecomrisk.store.shipments_repo import Receipt, Submission, Written, write_shipments

PROFILE = load_profile("US-2019")
CHUNK = 500


def feature_context(engine: Engine) -> FeatureContext:
    with engine.connect() as connection:
        rates = latest_rates(connection) or bundled_rates()
    return FeatureContext(PROFILE, rates, bundled_unit_values(rates, PROFILE.currency))


def split_world(
    world: Path, online: int, seed: int
) -> tuple[dict[str, list[bytes]], list[tuple[str, bytes]]]:
    """Filings per filer for the bulk history, and ``online`` held out (random, seeded)."""
    lines = [
        (path.stem, line)
        for path in sorted((world / "filings").glob("*.ndjson"))
        for line in path.read_bytes().splitlines()
        if line.strip()
    ]
    held = set(random.Random(seed).sample(range(len(lines)), online))
    history: dict[str, list[bytes]] = {}
    for i, (code, line) in enumerate(lines):
        if i not in held:
            history.setdefault(code, []).append(line)
    return history, [lines[i] for i in sorted(held)]


def fill(engine: Engine, world: Path, history: dict[str, list[bytes]], ctx: FeatureContext) -> int:
    """File the history through the bulk path; record each version's feature event (as
    the decider does, without deciding) and load the exam outcomes."""

    def events(connection: Connection, written: list[Written]) -> None:
        record_written_events(connection, written, ctx.rates, ctx.profile.currency)

    filed = 0
    for code, filer_id in sorted(_ensure_filers(engine, world).items()):
        if code not in history:
            continue
        result = ingest_records(
            engine,
            filer_id,
            ndjson_records(io.BytesIO(b"\n".join(history[code]) + b"\n")),
            kind=RecordKind.SHIPMENT,
            profile=PROFILE,
            actor=f"bench:{code}",
            chunk_size=CHUNK,
            max_errors=1_000,
            on_written=events,
        )
        filed += result.accepted
    with engine.begin() as connection:  # outcomes of held-out filings are skipped
        for line in (world / "outcomes.ndjson").read_text().splitlines():
            data = json.loads(line)
            outcome = Outcome.model_validate(data["outcome"])
            try:
                sid = current_version_id(connection, data["filer"], data["filer_reference"])
            except OutcomeError:
                continue
            record_outcome(connection, sid, outcome, actor="bench", recorded_at=outcome.examined_at)
    return filed


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def batch(engine: Engine, ctx: FeatureContext) -> dict[str, Any]:
    """rescore end to end, its parts, and the floor on the ready matrix."""
    out: dict[str, Any] = {}
    with engine.begin() as connection:
        ruleset = rulesets_repo.ensure_live(connection)
    seconds, decided = timed(lambda: rescore(engine, ctx))
    out["decided"] = decided
    out["rescore_s"] = seconds
    # The parts, in rescore's order.
    out["history_s"], _ = timed(lambda: batch_history_features(engine, ctx.day_offset_s))
    out["matrix_s"], matrix = timed(lambda: feature_matrix(engine, ctx))
    out["pylist_s"], rows = timed(matrix.to_pylist)
    now = datetime.now(UTC)
    day = now.date()
    versions = {"fx": ctx.rates.as_of.isoformat(), "run": "bench"}

    def decide_all() -> list[dict[str, Any]]:
        chunk = []
        for row in rows:
            features = dict(row)
            sid = features.pop("sid")
            features.pop("received_at")
            decision = decide(features, ruleset, ctx.profile, now, versions)
            chunk.append(
                {
                    "shipment_id": sid,
                    "decided_at": now,
                    "score": decision.score,
                    "lane": decision.lane.value,
                    "reasons": [r.model_dump() for r in decision.reasons],
                    "versions": decision.versions,
                    "features": features,
                    "kind": "live",
                    "ruleset": ruleset.label,
                }
            )
        return chunk

    out["decide_s"], prepared = timed(decide_all)

    def insert_all() -> None:
        for start in range(0, len(prepared), RESCORE_CHUNK_ROWS):
            with engine.begin() as connection:  # as rescore writes them
                decision_rows.insert(connection, prepared[start : start + RESCORE_CHUNK_ROWS])

    out["insert_s"], _ = timed(insert_all)
    # The floor: rules alone on the ready matrix.
    ready = [{k: v for k, v in row.items() if k not in ("sid", "received_at")} for row in rows]
    out["floor_py_s"], hits = timed(lambda: [evaluate(ruleset, r, day) for r in ready])
    out["hit_rows"] = sum(1 for h in hits if h)
    with duckdb.connect() as duck:
        duck.register("matrix", matrix)
        sql = rule_hits_sql(ruleset, "matrix")
        duck.sql(sql).to_arrow_table()  # warm-up: parse and plan once
        out["floor_sql_s"], table = timed(lambda: duck.sql(sql).to_arrow_table())
        assert table.num_rows == len(rows)
    out["rows"] = len(rows)
    return out


def online(
    engine: Engine, world: Path, held: list[tuple[str, bytes]], ctx: FeatureContext
) -> dict[str, Any]:
    """Single filings, one transaction each, alternating without and with the decider."""
    with engine.begin() as connection:
        rulesets_repo.ensure_live(connection)
    decider = Decider(DecisionContext(ctx))
    hook_times: list[float] = []

    def timed_decider(connection: Connection, written: list[Written]) -> None:
        start = time.perf_counter()
        decider.written(connection, written)
        hook_times.append(time.perf_counter() - start)

    filer_ids = _ensure_filers(engine, world)
    plain: list[float] = []
    deciding: list[float] = []
    rejected = 0
    for i, (code, line) in enumerate(held):
        filing = ShipmentFiling.model_validate(json.loads(line))
        hook = timed_decider if i % 2 else None
        start = time.perf_counter()
        with engine.begin() as connection:
            [result] = write_shipments(
                connection,
                filer_ids[code],
                [Submission(filing)],
                profile=PROFILE,
                actor="bench",
                on_written=hook,
            )
        elapsed = time.perf_counter() - start
        if not isinstance(result, Receipt):
            rejected += 1
            continue
        (deciding if hook else plain).append(elapsed)

    def cut(xs: list[float]) -> list[float]:
        return statistics.quantiles(xs, n=100)

    p, d, h = cut(plain), cut(deciding), cut(hook_times)
    return {
        "plain_n": len(plain),
        "decide_n": len(deciding),
        "rejected": rejected,
        "plain_p50": p[49] * 1000,
        "plain_p99": p[98] * 1000,
        "decide_p50": d[49] * 1000,
        "decide_p99": d[98] * 1000,
        "hook_p50": h[49] * 1000,
        "hook_p99": h[98] * 1000,
    }


def bench(name: str, engine: Engine, world: Path, args: argparse.Namespace) -> dict[str, Any]:
    migrate.upgrade(engine)
    ctx = feature_context(engine)
    history, held = split_world(world, args.online, args.seed)
    out: dict[str, Any] = {"database": name}
    out["fill_s"], out["filed"] = timed(lambda: fill(engine, world, history, ctx))
    with engine.connect() as connection:
        out["versions"] = connection.execute(
            select(shipments.c.id).order_by(shipments.c.id.desc()).limit(1)
        ).scalar()
    print(f"{name}: filed {out['filed']} in {out['fill_s']:.0f} s", flush=True)
    out |= batch(engine, ctx)
    print(f"{name}: batch done", flush=True)
    out |= online(engine, world, held, ctx)
    return out


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs ({cpu}), Python "
        f"{platform.python_version()}; {args.shipments} simulated shipments, "
        f"{args.online} held out for the online test\n"
    )
    print(
        "| database | decisions | rescore end to end (dec/s) | feature matrix (s) "
        "| of which history SQL (s) | decide loop (s) | inserts (s) "
        "| floor: Python evaluate (rows/s) | % | floor: DuckDB rule_hits_sql (rows/s) | % |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rate = r["decided"] / r["rescore_s"]
        py = r["rows"] / r["floor_py_s"]
        sql = r["rows"] / r["floor_sql_s"]
        print(
            f"| {r['database']} | {r['decided']} | {rate:,.0f} | {r['matrix_s']:.2f} "
            f"| {r['history_s']:.2f} | {r['decide_s']:.2f} | {r['insert_s']:.2f} "
            f"| {py:,.0f} | {100 * rate / py:.0f}% | {sql:,.0f} | {100 * rate / sql:.1f}% |"
        )
    print(
        "\n| database | filings (plain / deciding) | ingest p50 (ms) | ingest p99 (ms) "
        "| with decision p50 (ms) | with decision p99 (ms) | difference p50 (ms) "
        "| difference p99 (ms) | decider hook alone p50 (ms) | hook alone p99 (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['database']} | {r['plain_n']} / {r['decide_n']} | {r['plain_p50']:.2f} "
            f"| {r['plain_p99']:.2f} | {r['decide_p50']:.2f} | {r['decide_p99']:.2f} "
            f"| {r['decide_p50'] - r['plain_p50']:.2f} | {r['decide_p99'] - r['plain_p99']:.2f} "
            f"| {r['hook_p50']:.2f} | {r['hook_p99']:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=20_000)
    parser.add_argument("--online", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", default=os.environ.get("ECOMRISK_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        world = Path(folder) / "world"
        simulate_world(world, args.shipments + args.online, args.seed, lambda *a: None)
        if not args.no_sqlite:
            engine = create_engine_for_url(f"sqlite:///{Path(folder) / 'bench.db'}")
            rows.append(bench("SQLite (WAL)", engine, world, args))
            engine.dispose()
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine_for_url(args.postgres)
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine = create_engine_for_url(f"{args.postgres}?options=-csearch_path%3D{schema}")
            try:
                rows.append(bench("PostgreSQL", engine, world, args))
            finally:
                engine.dispose()
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()
    report(rows, args)


if __name__ == "__main__":
    main()
