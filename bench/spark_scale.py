"""Scale benchmark: synthetic shipments through the history-feature backfill and
batch model scoring, on DuckDB and on Spark (``local[2]``), beside the bare model
prediction on the same rows, as the row count doubles.

    .venv/bin/python bench/spark_scale.py [--rows 250000 500000 1000000] [--engines duckdb spark]
                                          [--skip-backfill] [--out FILE.json]

Rows are written as a Parquet export (``feature_events``, ``outcome_events``, as
``ecomrisk export parquet`` writes them), which both engines read. Backfill is the
same feature SQL as the online path (``all_features_sql``); scoring is the live
model's ``assess_many`` on Arrow batches (Spark: ``mapInArrow``). Reported per step:
wall time, CPU time of this process and of the Spark JVM (its worker processes
run as children of the JVM and are counted in neither: see docs), peak RSS of
this process and of the JVM, and the load average at the start.
"""

import argparse
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

from ecomrisk.engines.batch import BatchEngine, batch_engine
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.sql import all_features_sql
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.batch_scoring import ASSESSMENT_SCHEMA, assessment_function
from ecomrisk.risk.model.training import train

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01 UTC
WRITE_ROWS = 500_000


def synthetic_events(rows: int, folder: Path, seed: int = 1) -> None:
    """``rows`` shipment versions over 90 days with realistic key reuse (a few hot
    shippers, many consignees), and outcomes for 2 % of them."""
    rng = np.random.default_rng(seed)
    for start in range(0, rows, WRITE_ROWS):
        n = min(WRITE_ROWS, rows - start)
        sid = np.arange(start + 1, start + n + 1)
        received = T0 + np.sort(rng.integers(0, 90 * DAY, n))
        keys = {
            "consignee_name": rng.integers(0, max(rows // 3, 1), n),
            "consignee_address": rng.integers(0, max(rows // 4, 1), n),
            "consignee_phone": rng.integers(0, max(rows // 4, 1), n),
            "consignee_email": rng.integers(0, max(rows // 4, 1), n),
            "shipper_name": rng.zipf(1.6, n) % 5_000,
            "shipper_address": rng.zipf(1.6, n) % 5_000,
            "seller": rng.zipf(1.6, n) % 20_000,
        }
        table = pa.table(
            {
                "sid": sid,
                "filer_id": np.ones(n, dtype=np.int64),
                "filer_reference": pa.array([f"r{i}" for i in sid]),
                "status": pa.array(["active"] * n),
                "received_s": received,
                "superseded_s": pa.nulls(n, pa.int64()),
                "superseded_sid": pa.nulls(n, pa.int64()),
                "arrival_s": received + rng.integers(3_600, 3 * DAY, n),
                "value": rng.gamma(2.0, 40.0, n),
                **{k: pa.array([f"{k[:3]}{v}" for v in vs]) for k, vs in keys.items()},
                "day": pa.array((received // DAY).astype(str)),
            }
        )
        ds.write_dataset(
            table,
            folder / "feature_events",
            format="parquet",
            partitioning=["day"],
            partitioning_flavor="hive",
            basename_template=f"part-{start}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )
        examined = rng.random(n) < 0.02
        outcome = table.filter(pa.array(examined))
        ds.write_dataset(
            pa.table(
                {
                    "outcome_id": outcome.column("sid"),
                    "sid": outcome.column("sid"),
                    "recorded_s": pa.compute.add(outcome.column("received_s"), 2 * DAY),
                    "violation": pa.array(rng.random(outcome.num_rows) < 0.3).cast(pa.int64()),
                    "seizure": pa.array(rng.random(outcome.num_rows) < 0.1).cast(pa.int64()),
                    **{
                        k: outcome.column(k)
                        for k in ("consignee_address", "shipper_name", "shipper_address", "seller")
                    },
                    "day": outcome.column("day"),
                }
            ),
            folder / "outcome_events",
            format="parquet",
            partitioning=["day"],
            partitioning_flavor="hive",
            basename_template=f"part-{start}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )


def model_rows(rows: int, seed: int = 2) -> pa.Table:
    """The model's inputs for ``rows`` shipments (the columns ``input_table`` makes)."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "value_to_reference_min": rng.random(rows),
            "mode": pa.array(np.where(rng.random(rows) < 0.4, "express", "mail")),
            "description_vague": rng.random(rows) < 0.5,
            "port_of_arrival": pa.array(np.where(rng.random(rows) < 0.5, "USJFK", "USLAX")),
        }
    )


def a_model() -> TrainedModel:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))  # the tests' simulated examples
    from tests.model.simulated import simulated_examples

    trained = train(simulated_examples(2_000, seed=7), seed=1)[0]
    return TrainedModel.from_bytes(trained.to_bytes(), "bench@1")


def _jvm_pid() -> int | None:
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None:
        return None
    return int(session.sparkContext._jvm.java.lang.ProcessHandle.current().pid())  # type: ignore[union-attr]


def _proc(pid: int | None) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of another process, from /proc."""
    if pid is None:
        return 0.0, 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = [
        ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("VmHWM")
    ]
    return cpu, int(hwm[0].split()[1]) / 1024 if hwm else 0.0


def measure(step: Callable[[], Any], jvm: bool) -> dict[str, float]:
    load = os.getloadavg()[0]
    jvm_before = _proc(_jvm_pid())[0] if jvm else 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    jvm_cpu, jvm_rss = _proc(_jvm_pid()) if jvm else (0.0, 0.0)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "jvm_cpu_s": round(jvm_cpu - jvm_before, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "jvm_peak_rss_mb": round(jvm_rss),
        "load_1min": round(load, 1),
    }


def run(rows: int, engines: list[str], backfill: bool, model: TrainedModel) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    inputs = model_rows(rows)

    def bare() -> None:
        for batch in inputs.to_batches(max_chunksize=10_000):
            model.assess_many(batch.to_pylist())

    results.append({"rows": rows, "engine": "python", "step": "bare model", **measure(bare, False)})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if backfill:
            synthetic_events(rows, folder)
        for name in engines:
            engine: BatchEngine = batch_engine(name, "local[2]")
            jvm = name == "spark"
            if backfill:
                sql = all_features_sql(HISTORY_FEATURES, engine.dialect, -5 * 3600)
                relations = {t: folder / t for t in ("feature_events", "outcome_events")}
                step = measure(lambda e=engine, q=sql, r=relations: e.query(q, r), jvm)
                results.append({"rows": rows, "engine": name, "step": "backfill", **step})
            score = measure(
                lambda e=engine: e.map_batches(
                    inputs, assessment_function(model), ASSESSMENT_SCHEMA
                ),
                jvm,
            )
            results.append({"rows": rows, "engine": name, "step": "scoring", **score})
            print(json.dumps(results[-1]), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--skip-backfill", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    model = a_model()
    results = []
    for rows in args.rows:
        results += run(rows, args.engines, not args.skip_backfill, model)
    print("| rows | engine | step | wall s | CPU s (+JVM) | peak RSS MB (JVM) | load |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['engine']} | {r['step']} | {r['wall_s']} | "
            f"{r['cpu_s']} (+{r['jvm_cpu_s']}) | {r['peak_rss_mb']} ({r['jvm_peak_rss_mb']}) | "
            f"{r['load_1min']} |"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
