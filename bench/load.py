"""Load benchmark: the highest sustained filing rate of a real ``ecomrisk serve``
with p99 latency under a bound (50 ms), for single filings and for batches, on
SQLite and PostgreSQL.

    .venv/bin/python bench/load.py [--postgres URL] [--p99-ms 50] [--step-seconds 5]
        [--min-requests 300] [--batch-size 10] [--max-seconds 300]

For each database and each mode the offered rate steps up (x1.25 per step,
open loop: each request has a scheduled send time and its latency counts from
then, so queueing in a slow server shows), until p99 goes over the bound, a
request fails, or the server falls behind the offered rate. The highest step
that held is reported. Loopback only (127.0.0.1); bounded by --max-steps,
--max-seconds per mode and --max-requests per step (at least --min-requests, so
that a p99 is not just the slowest of a few); it stops by itself.
Filings come from bench/ingest.py's generator (each one a new reference).
"""

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from ingest import ECOMRISK, filing, free_port, new_filer  # bench/ingest.py
from sqlalchemy import text

from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url

STEP_FACTOR = 1.25
HOLD_SHARE = 0.95  # the server must keep up with at least this share of the offered rate


@dataclass
class Step:
    rate: float  # requests per second offered
    requests: int
    failed: int
    achieved: float  # requests per second answered
    p50_ms: float
    p99_ms: float

    def held(self, bound_ms: float) -> bool:
        return (
            self.failed == 0 and self.p99_ms < bound_ms and self.achieved >= HOLD_SHARE * self.rate
        )


def run_step(
    port: int,
    key: str,
    path: str,
    body: Callable[[str], bytes],
    rate: float,
    seconds: float,
    clients: int,
    max_requests: int,
    min_requests: int = 1,
) -> Step:
    """Offer ``rate`` requests/s for ``seconds`` (longer if needed to send
    ``min_requests``) over ``clients`` keep-alive connections."""
    # At least min_requests, unless that would take over a minute at this rate.
    enough = min(min_requests, int(rate * 60))
    total = min(max_requests, max(clients, enough, int(rate * seconds)))
    tag = uuid.uuid4().hex[:8]
    bodies = [body(f"{tag}-{i}") for i in range(total)]  # encoded before the clock starts
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    failed = 0
    lock = threading.Lock()
    begin = time.perf_counter() + 0.5

    def client(n: int) -> None:
        nonlocal failed
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(n, total, clients):
            scheduled = begin + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            ok = False
            # The server closes a keep-alive connection idle for 5 s (uvicorn's
            # default), which slow steps reach: resend once on a new connection, as
            # an HTTP client does; a filing is idempotent by its reference.
            for attempt in range(2):
                try:
                    connection.request("POST", path, bodies[i], headers)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status in (200, 201)
                    break
                except OSError as error:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    stale = isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError))
                    if attempt or not stale:
                        break
            finished = time.perf_counter()
            with lock:
                latencies.append(finished - scheduled)
                failed += not ok
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    cut = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Step(
        rate, len(latencies), failed, len(latencies) / elapsed, cut[49] * 1e3, cut[98] * 1e3
    )


@contextmanager
def server(url: str, workers: int) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "ECOMRISK_DATABASE_URL": url, "ECOMRISK_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [ECOMRISK, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("ecomrisk serve did not become ready")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def search(
    port: int, key: str, mode: str, args: argparse.Namespace, log: Callable[[str], None]
) -> tuple[Step | None, list[Step]]:
    """Step the rate up until the bound breaks; the best step that held, and all steps."""
    if mode == "single":
        path, per_request, rate = "/api/v1/shipments", 1, args.start_rate

        def body(ref: str) -> bytes:
            return json.dumps(filing(f"S{ref}")).encode()
    else:
        path, per_request, rate = "/api/v1/shipments/batch", args.batch_size, args.start_batch_rate

        def body(ref: str) -> bytes:
            shipments = [filing(f"B{ref}-{j}") for j in range(args.batch_size)]
            return json.dumps({"shipments": shipments}).encode()

    # Warm up: connections, caches, the first decision's rule set, the first statements.
    run_step(port, key, path, body, 20, 2, 1, 40)
    best: Step | None = None
    steps: list[Step] = []
    deadline = time.monotonic() + args.max_seconds
    for _ in range(args.max_steps):
        if time.monotonic() > deadline:
            log("  time bound reached")
            break
        step = run_step(
            port,
            key,
            path,
            body,
            rate,
            args.step_seconds,
            args.clients,
            args.max_requests,
            args.min_requests,
        )
        steps.append(step)
        held = step.held(args.p99_ms)
        log(
            f"  {mode}: offered {rate:.1f} req/s ({rate * per_request:.0f} filings/s): "
            f"achieved {step.achieved:.1f}, p50 {step.p50_ms:.1f} ms, p99 {step.p99_ms:.1f} ms, "
            f"failed {step.failed} -> {'held' if held else 'broke'}"
        )
        if not held:
            break
        best = step
        rate *= STEP_FACTOR
    return best, steps


def bench(name: str, url: str, args: argparse.Namespace) -> list[dict[str, object]]:
    engine = create_engine_for_url(url)
    migrate.upgrade(engine)
    _, key = new_filer(engine, f"LOAD{uuid.uuid4().hex[:6]}")
    engine.dispose()
    rows = []
    with server(url, args.workers) as port:
        for mode in ("single", "batch"):
            best, steps = search(port, key, mode, args, lambda m: print(m, file=sys.stderr))
            per_request = 1 if mode == "single" else args.batch_size
            rows.append(
                {
                    "database": name,
                    "mode": "single filing" if mode == "single" else f"batch of {per_request}",
                    "filings_per_s": None if best is None else best.achieved * per_request,
                    "requests_per_s": None if best is None else best.achieved,
                    "p50_ms": None if best is None else best.p50_ms,
                    "p99_ms": None if best is None else best.p99_ms,
                    "broke": steps[-1] if steps and not steps[-1].held(args.p99_ms) else None,
                    "steps": len(steps),
                }
            )
    return rows


def _fmt(value: object, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"  # type: ignore[str-format]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("ECOMRISK_TEST_POSTGRES_URL"))
    parser.add_argument("--p99-ms", type=float, default=50.0)
    parser.add_argument("--step-seconds", type=float, default=5.0)
    parser.add_argument("--start-rate", type=float, default=5.0, help="single filings, req/s")
    parser.add_argument("--start-batch-rate", type=float, default=1.0, help="batches, req/s")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8, help="client connections")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--max-steps", type=int, default=15)
    parser.add_argument("--max-seconds", type=float, default=300.0, help="per mode and database")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per step")
    # A p99 of fewer than a few hundred latencies is the slowest one or two of them.
    parser.add_argument("--min-requests", type=int, default=300, help="per step")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows += bench("SQLite (WAL)", f"sqlite:///{Path(folder) / 'load.db'}", args)
    if args.postgres and not args.sqlite_only:
        schema = f"load_{uuid.uuid4().hex[:8]}"
        admin = create_engine_for_url(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in args.postgres else "?"
            rows += bench(
                "PostgreSQL", f"{args.postgres}{sep}options=-csearch_path%3D{schema}", args
            )
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    load = os.getloadavg()
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"{args.workers} worker(s), {args.clients} client connections, p99 bound "
        f"{args.p99_ms:g} ms, {args.step_seconds:g} s per step, load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n"
    )
    print(
        "| database | mode | highest sustained filings/s (p99 < bound) | requests/s "
        "| p50 (ms) | p99 (ms) | next step (offered req/s: p99 ms, failed) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        broke = r["broke"]
        after = (
            "-"
            if not isinstance(broke, Step)
            else f"{broke.rate:.1f}: {broke.p99_ms:.1f} ms, {broke.failed} failed"
        )
        print(
            f"| {r['database']} | {r['mode']} | {_fmt(r['filings_per_s'], 0)} | "
            f"{_fmt(r['requests_per_s'])} | {_fmt(r['p50_ms'])} | {_fmt(r['p99_ms'])} | {after} |"
        )


if __name__ == "__main__":
    main()
