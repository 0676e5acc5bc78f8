"""Online history features of one filing as its keys grow hot, with the counts
bounded at ``COUNT_UP_TO`` (the catalogue) and without the bound (the same
features with ``up_to=None``), on SQLite. Two cases: "shipper" — one shipper and
seller behind N earlier shipments to consignees who each get a few (a
marketplace's big sender); "all" — one consignee, phone, e-mail and address too
(a consolidator's address, or every filing of ``bench/ingest.py`` without --history).

    .venv/bin/python bench/hot_key.py [--events 1000 10000 100000] [--probes 200]

Events are written straight into ``feature_events`` (foreign keys off for this
connection: the bench needs no shipment rows), spread over 60 days of receipts,
arriving on the last day; the probes are the latest events (each "now", as when
a filing is decided). Reported: mean and p99 milliseconds a filing, and CPU.
Results are printed as a Markdown table for docs/benchmarks.md.
"""

import argparse
import dataclasses
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, event

from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.definitions import Feature, ShipmentAggregate
from ecomrisk.features.online import history_features
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import feature_events

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01 UTC
OFFSET = -5 * 3600
UNBOUNDED = tuple(
    dataclasses.replace(f, up_to=None) if isinstance(f, ShipmentAggregate) else f
    for f in HISTORY_FEATURES
)


def events(n: int, case: str) -> list[dict[str, object]]:
    start = T0 - 60 * DAY
    rows = [
        {
            "sid": i + 1,
            "filer_id": 1,
            "filer_reference": f"R{i}",
            "status": "active",
            "received_s": start + (60 * DAY * i) // n,
            "superseded_s": None,
            "superseded_sid": None,
            "arrival_s": T0 + 3600,
            "value": 25.0,
            "consignee_name": "john smith",
            "consignee_address": "12 main street unit 4b | springfield | US",
            "consignee_phone": "+12025550143",
            "consignee_email": "jsmith@gmail.com",
            "shipper_name": "shenzhen trading co",
            "shipper_address": "1 factory road | shenzhen | CN",
            "seller": "seller ltd",
        }
        for i in range(n)
    ]
    if case == "shipper":  # a consignee gets one shipment in a hundred or so
        for i, row in enumerate(rows):
            c = i % max(n // 3, 1)
            row |= {
                "consignee_name": f"consignee {c}",
                "consignee_address": f"{c} main street | springfield | US",
                "consignee_phone": f"+1202555{c:07d}",
                "consignee_email": f"c{c}@mail.example",
            }
    return rows


def timed(
    connection: Connection, sids: list[int], features: tuple[Feature, ...]
) -> tuple[float, float, float]:
    laps = []
    cpu = time.process_time()
    for sid in sids:
        start = time.perf_counter()
        history_features(connection, sid, OFFSET, features)
        laps.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / len(sids)
    laps.sort()
    return statistics.mean(laps), laps[int(0.99 * (len(laps) - 1))], cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--probes", type=int, default=200)
    args = parser.parse_args()
    rows = []
    for n, case in ((n, case) for case in ("shipper", "all") for n in args.events):
        with tempfile.TemporaryDirectory() as folder:
            engine = create_engine_for_url(f"sqlite:///{Path(folder) / 'hot.db'}")
            migrate.upgrade(engine)
            event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA foreign_keys = OFF"))
            engine.dispose()
            with engine.begin() as connection:
                connection.execute(feature_events.insert(), events(n, case))
            probes = list(range(n - args.probes + 1, n + 1))
            with engine.connect() as connection:
                for label, features in (("bounded", HISTORY_FEATURES), ("unbounded", UNBOUNDED)):
                    timed(connection, probes[:5], features)  # statements compiled, pages warm
                    rows.append((case, n, label, *timed(connection, probes, features)))
            engine.dispose()
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"SQLite, {args.probes} probes, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| hot | events of the hot keys | counts | mean ms a filing | p99 ms | CPU ms a filing |")
    print("|---|---|---|---|---|---|")
    for case, n, label, mean, p99, cpu in rows:
        print(f"| {case} | {n:,} | {label} | {mean:.2f} | {p99:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
