"""Benchmark: generate and write a synthetic world of N shipments; prints seconds and peak memory.

Usage: .venv/bin/python bench/simulate.py [--shipments 1000000] [--format ndjson|parquet|both]
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

from ecomrisk.simulate.output import write_world
from ecomrisk.simulate.scenario import load_scenario
from ecomrisk.simulate.world import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--format", default="ndjson", choices=["ndjson", "parquet", "both"])
    args = parser.parse_args()
    base = load_scenario()
    scenario = base.model_validate({**base.model_dump(), "shipments": args.shipments})
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        world = generate(scenario)
        generated = time.perf_counter()
        write_world(world, Path(folder), args.format)
        done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest worker process (the chunks are built and rendered in forked workers).
    worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"shipments={args.shipments} format={args.format} generate_s={generated - started:.1f} "
        f"write_s={done - generated:.1f} total_s={done - started:.1f} "
        f"per_second={args.shipments / (done - started):,.0f} peak_mb={peak_mb:,.0f} "
        f"worker_peak_mb={worker_peak_mb:,.0f}"
    )


if __name__ == "__main__":
    main()
