"""Group commit: CPU a filing when single filings are written alone or in groups.

    .venv/bin/python bench/group_commit.py [--history 10000] [--filings 480] [--sizes 1 2 4 8 16 1]

A synthetic world of --history shipments is filed and decided first (as
bench/score.py does), on SQLite; then --filings filings of one filer of another
world are written and decided through ``store.group_write.write_group`` in groups
of each size (a size of 1 is a filing written alone, as an idle server writes
it), under fresh references each time. Reported: process CPU a filing (the
bench, SQLite and the decider run in this process) and transactions committed.
"""

import argparse
import collections
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))
from score import _quiet, build

from ecomrisk.demo import _ensure_filers, simulate_world
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.risk.context import decider
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.group_write import FilingJob, write_group
from ecomrisk.store.shipments_repo import Submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--filings", type=int, default=480)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4, 8, 16, 1])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'store.db'}"
        engine = create_engine_for_url(url)
        settings = Settings(database_url=url, data_dir=folder)
        migrate.upgrade(engine)
        build(engine, settings, folder / "history", args.history)
        simulate_world(folder / "online", 2 * args.filings, 7, _quiet)
        filer_ids = _ensure_filers(engine, folder / "online")
        profile = load_profile(settings.jurisdiction)
        deciding = decider(engine, settings)
        by_filer: dict[str, list[dict[str, object]]] = collections.defaultdict(list)
        for path in sorted((folder / "online" / "filings").glob("*.ndjson")):
            for line in path.read_text().splitlines():
                by_filer[path.stem].append(json.loads(line))
        code, bodies = max(by_filer.items(), key=lambda kv: len(kv[1]))
        bodies = bodies[: args.filings]
        commits: list[int] = []
        event.listen(engine, "commit", lambda _c: commits.append(1))
        rows = []
        for size in args.sizes:
            suffix = uuid.uuid4().hex[:6]
            jobs = [
                FilingJob(
                    filer_ids[code],
                    "bench",
                    profile,
                    Submission(
                        ShipmentFiling.model_validate(
                            body | {"filer_reference": f"{body['filer_reference']}-{suffix}"}
                        )
                    ),
                    deciding.written,
                )
                for body in bodies
            ]
            commits.clear()
            started = time.process_time()
            for i in range(0, len(jobs), size):
                write_group(engine, jobs[i : i + size])
            cpu_ms = 1000 * (time.process_time() - started) / len(jobs)
            rows.append((size, cpu_ms, len(commits)))
        engine.dispose()
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
        f"({platform.machine()}), Python {platform.python_version()}, SQLite, history "
        f"{args.history:,}, {len(bodies)} filings of filer {code}, load average "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    print("| filings a group | CPU a filing (ms) | transactions |\n|---|---|---|")
    for size, cpu_ms, transactions in rows:
        print(f"| {size} | {cpu_ms:.2f} | {transactions} |")


if __name__ == "__main__":
    main()
