"""Risk-model benchmark on an existing store (e.g. one `ecomrisk demo` wrote):
building the training set, training, and scoring — one filing at a time as a
decision does, and a chunk at once as batch rescoring does.

    ECOMRISK_DATA_DIR=/path/to/data .venv/bin/python bench/model.py [--seed 1] [--repeat 200]

Nothing is registered: the store is only read. Results print as Markdown for
docs/benchmarks.md.
"""

import argparse
import statistics
import time

from ecomrisk.risk.context import feature_context
from ecomrisk.risk.model.dataset import training_examples
from ecomrisk.risk.model.training import train
from ecomrisk.settings import get_settings
from ecomrisk.store.engine import create_store_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200, help="single-filing scorings timed")
    args = parser.parse_args()
    settings = get_settings()
    engine = create_store_engine(settings)
    context = feature_context(engine, settings)

    start = time.perf_counter()
    examples = training_examples(engine, context)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    model, details = train(examples, seed=args.seed)
    train_s = time.perf_counter() - start
    rows = [e.features for e in examples]

    single = []
    for i in range(args.repeat):
        features = rows[i % len(rows)]
        start = time.perf_counter()
        model.assess(features)
        single.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    model.assess_many(rows)
    batch_s = time.perf_counter() - start

    print(f"| inspected shipments (training set) | {len(examples):,} |")
    print(f"| building the training set | {load_s:.2f} s |")
    print(f"| training (fit, calibrate, revenue model, test metrics) | {train_s:.2f} s |")
    print(f"| trees kept (best iteration + 1) | {details['best_iteration'] + 1} |")
    print(
        f"| one filing scored with reasons, median / p95 | "
        f"{statistics.median(single):.2f} ms / {sorted(single)[int(0.95 * len(single))]:.2f} ms |"
    )
    print(f"| batch scoring with reasons | {len(rows) / batch_s:,.0f} shipments/s |")
    engine.dispose()


if __name__ == "__main__":
    main()
