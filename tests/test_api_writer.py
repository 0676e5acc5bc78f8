"""Served single filings are written off the event loop: on SQLite by one writer
thread per process (writes queue instead of racing for the lock), elsewhere in
the shared thread pool."""

import asyncio
import threading
import time
from pathlib import Path

from ecomrisk.api.ops.logs import REQUEST_ID
from ecomrisk.api.writer import StoreWriter
from ecomrisk.store.engine import create_engine_for_url

Seen = tuple[int, set[tuple[int, str]], set[str]]


def _overlap_and_threads(writer: StoreWriter, jobs: int) -> Seen:
    """Most jobs seen running at once, their threads (id, name), the request ids seen."""
    lock = threading.Lock()
    running = most = 0
    threads: set[tuple[int, str]] = set()
    request_ids: set[str] = set()

    def job() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add((threading.get_ident(), threading.current_thread().name))
            request_ids.add(str(REQUEST_ID.get()))
        time.sleep(0.02)
        with lock:
            running -= 1

    async def request(n: int) -> None:
        REQUEST_ID.set(f"req-{n}")  # each task has its own context, as each request has
        await writer.run(job)

    async def main() -> None:
        await asyncio.gather(*(request(n) for n in range(jobs)))

    asyncio.run(main())
    return most, threads, request_ids


def test_sqlite_writes_run_one_at_a_time_in_one_thread_with_the_request_context(
    tmp_path: Path,
) -> None:
    writer = StoreWriter(create_engine_for_url(f"sqlite:///{tmp_path / 'store.db'}"))
    most, threads, request_ids = _overlap_and_threads(writer, 6)
    assert most == 1
    [(_, name)] = threads
    assert name.startswith("store-writer")
    assert request_ids == {f"req-{n}" for n in range(6)}  # logs keep each request's id
    writer.close()
    # An app served again (a second lifespan) gets a new writer thread.
    most, threads, _ = _overlap_and_threads(writer, 2)
    assert most == 1
    assert len(threads) == 1
    writer.close()


def test_postgresql_writes_run_side_by_side_in_the_shared_pool() -> None:
    # No connection is made: only the dialect decides where writes run.
    writer = StoreWriter(create_engine_for_url("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    most, threads, request_ids = _overlap_and_threads(writer, 4)
    assert most > 1
    assert len(threads) > 1
    assert request_ids == {f"req-{n}" for n in range(4)}
