"""How long ``ecomrisk demo --no-serve`` takes, wall and CPU, on a fresh store.

    .venv/bin/python bench/demo.py [--shipments 20000] [--seed 42] [--again]

Runs the CLI in a temporary data folder (the whole product: filing, outcomes,
screening, backtest, network, model, rescoring, facilities, design, selection)
and prints JSON: wall seconds, CPU seconds of the child (user + system), the
load average before and after, and with ``--again`` the same for a second run on
the same store (every stage skipped or replayed). Wall time means little on a
loaded machine: read CPU beside it, and re-run on a quiet one.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ECOMRISK = str(Path(sys.executable).with_name("ecomrisk"))


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(folder: Path, shipments: int, seed: int) -> dict[str, float]:
    env = {**os.environ, "ECOMRISK_DATA_DIR": str(folder)}
    env.pop("ECOMRISK_DATABASE_URL", None)
    cpu, wall, load = _child_cpu(), time.perf_counter(), os.getloadavg()[0]
    subprocess.run(
        [ECOMRISK, "demo", "--shipments", str(shipments), "--seed", str(seed), "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(_child_cpu() - cpu, 1),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--again", action="store_true", help="also time a second run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result: dict[str, object] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus",
            "command": " ".join(sys.argv),
            "shipments": args.shipments,
            "first": _run(Path(folder), args.shipments, args.seed),
        }
        if args.again:
            result["again"] = _run(Path(folder), args.shipments, args.seed)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
