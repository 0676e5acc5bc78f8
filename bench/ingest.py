"""Ingest benchmark: single-filing latency over HTTP and batch throughput, beside
the raw insert rate of the same rows into the same database (the floor).

    .venv/bin/python bench/ingest.py [--postgres URL] [--records 5000] [--rate 200] [--seconds 10]
        [--history 10000] [--single-only] [--workers 1]

With --history N, a synthetic world of N shipments (and its watch lists) is filed
and decided first, and the single filings sent over HTTP are filings of another
world (new references), so each is decided against real history and lists;
without it every single filing has the same three parties. Besides latency, the
server's CPU time per request is reported (from /proc: user + system of the
server and its workers over the run), a figure that moves less than wall-clock
latency on a shared machine.

Loopback traffic only; every loop is bounded by --records or --seconds.
Results are printed as a Markdown table for docs/benchmarks.md.
"""

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.ingest.bulk import ingest_records
from ecomrisk.ingest.formats import ndjson_records
from ecomrisk.ingest.quality import assess
from ecomrisk.ingest.validate import RecordKind
from ecomrisk.store import filers_repo, migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import filing_quality, line_items, parties, shipments
from ecomrisk.store.shipment_rows import child_rows, quality_row, shipment_row
from ecomrisk.store.shipments_repo import Submission, ingest_chunk

CHUNK = 500
PROFILE = load_profile("US-2019")
ECOMRISK = str(Path(sys.executable).with_name("ecomrisk"))


def filing(reference: str) -> dict[str, Any]:
    party = {"address": {"line1": "12 Main St., Apt 4B", "city": "Springfield"}}
    return {
        "filer_reference": reference,
        "mode": "express",
        "house_bill": f"HB{reference}",
        "port_of_arrival": "USJFK",
        "estimated_arrival": (datetime.now(UTC) + timedelta(hours=30)).isoformat(),
        "country_of_export": "CN",
        "marketplace": {"name": "Shopmart", "listing_url": "https://shop.example/l/1"},
        "shipper": {"name": "Shenzhen Trading Co.", "phone": "+86 755 1234 5678"}
        | {"address": party["address"] | {"country": "CN"}},
        "seller": {"name": "Seller Ltd", "address": party["address"] | {"country": "CN"}},
        "consignee": {
            "name": "John Smith",
            "phone": "(202) 555-0143",
            "email": "j.smith+x@gmail.com",
            "address": party["address"] | {"country": "US"},
        },
        "items": [
            {
                "description": "running shoes",
                "hs_code": "6404112000",
                "quantity": 2,
                "value": "59.90",
                "currency": "USD",
                "weight_kg": "1.2",
                "origin_country": "CN",
            },
            {
                "description": "cotton socks",
                "hs_code": "6115950000",
                "quantity": 5,
                "value": "9.90",
                "currency": "USD",
            },
        ],
    }


def new_filer(engine: Engine, code: str) -> tuple[int, str]:
    with engine.begin() as connection:
        filer, issued = filers_repo.create_filer(
            connection, code=code, name=code, filer_type=FilerType.CARRIER, actor="bench"
        )
    return filer.id, issued.key


def raw_insert_rate(engine: Engine, filings: list[ShipmentFiling], filer_id: int) -> float:
    """Rows prepared beforehand (normalised, scored); only the inserts are timed."""
    now = datetime.now(UTC)
    prepared = []
    for f in filings:
        quality = assess(f, received_at=now, deadline_hours=4)
        row = shipment_row(
            f, filer_id=filer_id, version=1, status="active", content_hash="0" * 64, received_at=now
        )
        prepared.append((f, row, quality))
    start = time.perf_counter()
    for i in range(0, len(prepared), CHUNK):
        part = prepared[i : i + CHUNK]
        with engine.begin() as connection:
            ids = (
                connection.execute(
                    shipments.insert().returning(shipments.c.id, sort_by_parameter_order=True),
                    [row for _, row, _ in part],
                )
                .scalars()
                .all()
            )
            party_rows: list[dict[str, Any]] = []
            item_rows: list[dict[str, Any]] = []
            quality_rows = []
            for shipment_id, (f, _, quality) in zip(ids, part, strict=True):
                p, it = child_rows(shipment_id, f)
                party_rows += p
                item_rows += it
                quality_rows.append(quality_row(shipment_id, filer_id, now, quality))
            connection.execute(parties.insert(), party_rows)
            connection.execute(line_items.insert(), item_rows)
            connection.execute(filing_quality.insert(), quality_rows)
    return len(prepared) / (time.perf_counter() - start)


def store_path_rate(engine: Engine, filings: list[ShipmentFiling], filer_id: int) -> float:
    """Validated filings through ingest_chunk: idempotency check, normalisation,
    quality, inserts and the audit entry, one transaction per chunk."""
    subs = [Submission(f) for f in filings]
    start = time.perf_counter()
    for i in range(0, len(subs), CHUNK):
        ingest_chunk(engine, filer_id, subs[i : i + CHUNK], profile=PROFILE, actor="bench")
    return len(subs) / (time.perf_counter() - start)


def file_rate(engine: Engine, blob: bytes, filer_id: int, records: int) -> float:
    """NDJSON bytes to stored rows: parsing and validation included."""
    import io

    start = time.perf_counter()
    result = ingest_records(
        engine,
        filer_id,
        ndjson_records(io.BytesIO(blob)),
        kind=RecordKind.SHIPMENT,
        profile=PROFILE,
        actor="bench",
        chunk_size=CHUNK,
        max_errors=10,
    )
    assert result.accepted == records, result
    return records / (time.perf_counter() - start)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children (uvicorn's workers), in seconds."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        process = int(stat.parent.name)
        if process == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def world_bodies(count: int) -> list[dict[str, Any]]:
    """``count`` filings of a synthetic world (seed 7) under fresh references."""
    from ecomrisk.demo import simulate_world

    run = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory() as folder:
        simulate_world(Path(folder), count, 7, lambda *a: None)
        lines = [
            line
            for path in sorted((Path(folder) / "filings").glob("*.ndjson"))
            for line in path.read_text().splitlines()
            if line.strip()
        ]
    bodies = []
    for line in lines[:count]:
        data = json.loads(line)
        data["filer_reference"] = f"{data['filer_reference']}-{run}"
        bodies.append(data)
    return bodies


def file_history(url: str, engine: Engine, count: int) -> None:
    """A world of ``count`` shipments with its watch lists, filed and decided."""
    from ecomrisk.demo import DemoReport, file_world, screen, simulate_world
    from ecomrisk.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        world = Path(folder) / "world"
        simulate_world(world, count, 42, lambda *a: None)
        report = DemoReport(world)
        screen(engine, world, report)
        file_world(
            engine,
            Settings(database_url=url, data_dir=Path(folder)),
            world,
            report,
            lambda *a: None,
        )


def latency(url: str, env: dict[str, str], key: str, args: argparse.Namespace) -> dict[str, float]:
    """Open-loop load at ``args.rate`` requests/s; latency counted from each request's
    scheduled time, so a slow server cannot hide its queueing. The client is kept
    light (http.client, bodies encoded beforehand) as it shares the machine."""
    rate, seconds = args.rate, args.seconds
    port = free_port()
    server = subprocess.Popen(
        [ECOMRISK, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env | {"ECOMRISK_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        threads = args.clients
        per_thread = rate * seconds // threads
        results: list[float] = []
        statuses: list[int] = []
        offsets: list[float] = []  # each request's scheduled time from the start, s
        lock = threading.Lock()
        run = uuid.uuid4().hex[:6]
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        if args.history:
            world = [json.dumps(b).encode() for b in world_bodies(per_thread * threads)]
        begin = time.perf_counter() + 3.0
        cpu_at: list[float] = []

        def worker(n: int) -> None:
            if args.history:
                bodies = world[n::threads]
            else:
                bodies = [json.dumps(filing(f"L{run}-{n}-{i}")).encode() for i in range(per_thread)]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST", "/api/v1/shipments", json.dumps(filing(f"W{run}-{n}")), headers
            )
            connection.getresponse().read()  # warm up: connection and caches
            for i, body in enumerate(bodies):
                scheduled = begin + (i * threads + n) / rate
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                connection.request("POST", "/api/v1/shipments", body, headers)
                response = connection.getresponse()
                response.read()
                done = time.perf_counter()
                with lock:
                    results.append(done - scheduled)
                    statuses.append(response.status)
                    offsets.append(scheduled - begin)
            connection.close()

        workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        cpu_at.append(_cpu_seconds(server.pid))  # the warm-up requests count too (a few)
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - begin
        server_cpu = _cpu_seconds(server.pid) - cpu_at[0]
    finally:
        server.terminate()
        server.wait(timeout=10)
    ok = sum(s == 201 for s in statuses)
    cut = statistics.quantiles(results, n=100)
    if args.timeline:  # where in the run the slow requests were
        args.timeline.write_text(
            "\n".join(
                f"{o:.4f},{r * 1000:.2f}" for o, r in sorted(zip(offsets, results, strict=True))
            )
        )
    return {
        "requests": len(results),
        "ok": ok,
        "achieved_rate": len(results) / elapsed,
        "p50_ms": cut[49] * 1000,
        "p99_ms": cut[98] * 1000,
        "cpu_ms": 1000 * server_cpu / len(results),
    }


def bench(name: str, url: str, engine: Engine, args: argparse.Namespace) -> dict[str, Any]:
    migrate.upgrade(engine)
    if args.history:
        file_history(url, engine, args.history)
    run = uuid.uuid4().hex[:6]
    raw_filer, _ = new_filer(engine, f"RAW{run}")
    store_filer, _ = new_filer(engine, f"STO{run}")
    file_filer, _ = new_filer(engine, f"FIL{run}")
    _api_filer, key = new_filer(engine, f"API{run}")
    dicts = [filing(f"B{i:07d}") for i in range(args.records)]
    filings = [ShipmentFiling.model_validate(d) for d in dicts]
    blob = "".join(json.dumps(d) + "\n" for d in dicts).encode()
    out: dict[str, Any] = {"database": name, "raw_rows_per_s": float("nan")}
    out["store_path_per_s"] = out["file_per_s"] = float("nan")
    if not args.single_only:
        out["raw_rows_per_s"] = raw_insert_rate(engine, filings, raw_filer)
        out["store_path_per_s"] = store_path_rate(engine, filings, store_filer)
        out["file_per_s"] = file_rate(engine, blob, file_filer, args.records)
    out |= latency(url, dict(os.environ), key, args)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=8, help="client threads (connections)")
    parser.add_argument("--postgres", default=os.environ.get("ECOMRISK_TEST_POSTGRES_URL"))
    parser.add_argument(
        "--history", type=int, default=0, help="file a synthetic world of N first (see above)"
    )
    parser.add_argument(
        "--single-only", action="store_true", help="only the single-filing latency over HTTP"
    )
    parser.add_argument(
        "--timeline",
        type=Path,
        help="write each single filing's scheduled time (s) and latency (ms) as CSV lines",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine_for_url(url)
        rows.append(bench("SQLite (WAL)", url, engine, args))
        engine.dispose()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine_for_url(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
        engine = create_engine_for_url(url)
        try:
            rows.append(bench("PostgreSQL", url, engine, args))
        finally:
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    cpu = platform.processor() or platform.machine()
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs ({cpu}), Python "
        f"{platform.python_version()}, {args.records} filings of 2 items, "
        f"{args.rate} req/s for {args.seconds} s, {args.workers} worker(s), "
        f"{args.clients} client connections, history {args.history}, load average "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| database | raw insert (filings/s) | batch, store path (filings/s) | % of raw "
        "| bulk NDJSON incl. parse+validate (filings/s) | % of raw | single p50 (ms) "
        "| single p99 (ms) | achieved req/s | 201s | server CPU per request (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['database']} | {r['raw_rows_per_s']:.0f} | {r['store_path_per_s']:.0f} | "
            f"{100 * r['store_path_per_s'] / r['raw_rows_per_s']:.0f}% | {r['file_per_s']:.0f} | "
            f"{100 * r['file_per_s'] / r['raw_rows_per_s']:.0f}% | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['achieved_rate']:.0f} | {r['ok']}/{r['requests']} | "
            f"{r['cpu_ms']:.2f} |"
        )


if __name__ == "__main__":
    main()
