"""Scale benchmark: synthetic shipments through the history-feature backfill and
batch model scoring, on DuckDB and on Spark (``local[2]``), beside the bare model
prediction on the same rows, as the row count doubles.

    .venv/bin/python bench/spark_scale.py [--rows 1000000 2000000 4000000] [--engines duckdb spark]
                                          [--backfill-rows 100000 200000] [--out FILE.json]

Rows are generated column-wise (numpy) straight to date-partitioned Parquet: the
event tables of the export (``feature_events``, ``outcome_events``, as ``ecomrisk
export parquet`` writes them) and the model's inputs of each shipment. Backfill is
``features.backfill`` (the feature SQL, written to Parquet by the engine);
scoring is the model's ``assess_many`` over the Parquet's Arrow batches, written
back to Parquet (``map_parquet``; Spark: ``mapInArrow`` in its Python workers), so
no step collects the rows. The bare model is the classifier's XGBoost prediction
on the same batches, in this process.

Reported per step: wall time; CPU seconds and peak memory of the **process
tree** (this process, the Spark JVM and its Python workers: /proc sampled every
0.2 s, peak = the highest sum of RSS seen at once); the load average at the start.
"""

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

from ecomrisk.engines.batch import BatchEngine, batch_engine
from ecomrisk.features.backfill import backfill
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.batch_scoring import ASSESSMENT_SCHEMA, assessment_function
from ecomrisk.risk.model.training import train

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01 UTC
WRITE_ROWS = 500_000


def synthetic_events(rows: int, folder: Path, seed: int = 1, hot_keys: bool = True) -> None:
    """``rows`` shipment versions over 90 days with realistic key reuse (a few hot
    shippers, many consignees), and outcomes for 2 % of them. Without ``hot_keys``
    shippers and sellers are drawn uniformly instead (no key holds many filings)."""
    rng = np.random.default_rng(seed)

    def sender(keys: int, n: int) -> np.ndarray:
        if hot_keys:  # one key with ~44 % of the filings, a long tail
            return rng.zipf(1.6, n) % keys
        return rng.integers(0, max(rows // 50, 1), n)

    for start in range(0, rows, WRITE_ROWS):
        n = min(WRITE_ROWS, rows - start)
        sid = np.arange(start + 1, start + n + 1)
        received = T0 + np.sort(rng.integers(0, 90 * DAY, n))
        keys = {
            "consignee_name": rng.integers(0, max(rows // 3, 1), n),
            "consignee_address": rng.integers(0, max(rows // 4, 1), n),
            "consignee_phone": rng.integers(0, max(rows // 4, 1), n),
            "consignee_email": rng.integers(0, max(rows // 4, 1), n),
            "shipper_name": sender(5_000, n),
            "shipper_address": sender(5_000, n),
            "seller": sender(20_000, n),
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


def _tree(root: int) -> list[int]:
    """``root`` and every process descended from it (the JVM, Spark's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _usage(pid: int) -> tuple[float, int]:
    """CPU seconds and resident bytes of one process. CPU: user and system of the
    process and of its children that ended and were reaped (PySpark's daemon forks
    the Python workers; their seconds land in its children's figures)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


class TreeSampler(threading.Thread):
    """Peak RSS of the process tree, and the CPU of every process seen in it."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.cpu, self.stopped = 0, {}, threading.Event()
        self.start_cpu = self._sample()

    def _sample(self) -> dict[int, float]:
        total, cpu = 0, {}
        for pid in _tree(os.getpid()):
            try:
                cpu[pid], rss = _usage(pid)
            except (OSError, IndexError, ValueError):
                continue
            total += rss
        self.peak = max(self.peak, total)
        return cpu

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.cpu.update(self._sample())

    def finish(self) -> tuple[float, float]:
        self.stopped.set()
        self.join()
        self.cpu.update(self._sample())
        used = sum(c - self.start_cpu.get(pid, 0.0) for pid, c in self.cpu.items())
        return used, self.peak / 2**20


def measure(step: Callable[[], Any]) -> dict[str, float]:
    load = os.getloadavg()[0]
    sampler = TreeSampler()
    sampler.start()
    wall = time.perf_counter()
    step()
    wall = time.perf_counter() - wall
    cpu, peak = sampler.finish()
    return {
        "wall_s": round(wall, 2),
        "tree_cpu_s": round(cpu, 2),
        "tree_peak_rss_mb": round(peak),
        "load_1min": round(load, 1),
    }


def write_inputs(rows: int, folder: Path) -> None:
    """The model's inputs of ``rows`` shipments as date-partitioned Parquet, made
    column-wise a chunk at a time (bounded memory whatever ``rows``)."""
    for start in range(0, rows, WRITE_ROWS):
        part = model_rows(min(WRITE_ROWS, rows - start), seed=start)
        sid = pa.array(np.arange(start + 1, start + part.num_rows + 1))
        day = pa.array(((T0 + np.arange(part.num_rows) * 7) // DAY).astype(str))
        ds.write_dataset(
            part.append_column("sid", sid).append_column("day", day),
            folder,
            format="parquet",
            partitioning=["day"],
            partitioning_flavor="hive",
            basename_template=f"part-{start}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )


SCORED = ASSESSMENT_SCHEMA.append(pa.field("sid", pa.int64()))


def scoring_function(model: TrainedModel) -> Callable[[pa.RecordBatch], pa.RecordBatch]:
    assess = assessment_function(model)
    columns = list(model_rows(1).column_names)

    def score(batch: pa.RecordBatch) -> pa.RecordBatch:
        scored = assess(batch.select(columns))
        return scored.append_column("sid", batch.column("sid").cast(pa.int64()))

    return score


def run(
    rows: int, engines: list[str], backfill_rows: set[int], model: TrainedModel
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []

    def report(engine: str, step: str, figures: dict[str, float], n: int = rows) -> None:
        results.append({"rows": n, "engine": engine, "step": step, **figures})
        print(json.dumps(results[-1]), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_inputs(rows, folder / "inputs")
        columns = model_rows(1).column_names

        def bare() -> None:
            source = ds.dataset(folder / "inputs", format="parquet", partitioning="hive")
            for batch in source.to_batches(columns=columns, batch_size=100_000):
                model.classifier.predict(batch)

        report("python", "bare model", measure(bare))
        if rows in backfill_rows:
            synthetic_events(rows, folder / "export")
        for name in engines:
            engine: BatchEngine = batch_engine(name, "local[2]")
            if rows in backfill_rows:
                out = folder / f"features-{name}"

                def backfilled(e: BatchEngine = engine, o: Path = out) -> None:
                    backfill(None, -5 * 3600, o, e, folder / "export")

                report(name, "backfill", measure(backfilled))
            scored = folder / f"scored-{name}"

            def scoring(e: BatchEngine = engine, o: Path = scored) -> None:
                e.map_parquet(folder / "inputs", scoring_function(model), SCORED, o)

            step = measure(scoring)
            written = ds.dataset(scored, format="parquet").count_rows()
            assert written == rows, (written, rows)
            report(name, "scoring", step)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument(
        "--backfill-rows", type=int, nargs="*", default=[], help="Sizes that also run the backfill"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    model = a_model()
    results = []
    for rows in args.rows:
        results += run(rows, args.engines, set(args.backfill_rows), model)
    print(
        "| rows | engine | step | wall s | CPU s (tree) | CPU µs/row | peak RSS MB (tree) | load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['engine']} | {r['step']} | {r['wall_s']} | "
            f"{r['tree_cpu_s']} | {r['tree_cpu_s'] / r['rows'] * 1e6:.1f} | "
            f"{r['tree_peak_rss_mb']} | {r['load_1min']} |"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
