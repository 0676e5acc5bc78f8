"""Where a served single filing's write runs: off the event loop, in one thread.

SQLite takes one writer at a time. When each request's write ran in its own
thread of the shared pool, two at once raced for the lock and the loser slept in
SQLite's busy handler (1, 2, 5, 10 ms ... between tries), a tail-latency source
at 200 filings/s; one writer thread per process queues them instead, without
sleeping. PostgreSQL takes writers side by side, so there the shared pool is kept.

Not on the event loop itself, although that would save the thread hand-off
(~0.5 ms of CPU a filing, bench/ingest.py): a request that holds a write
transaction across an ``await`` (a sync route with ``ConnectionDep`` commits in a
second thread call after its handler returns) would then wait for the loop that
waits for its lock, for the whole busy timeout.
"""

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from ecomrisk.store.engine import single_writer

T = TypeVar("T")


class StoreWriter:
    def __init__(self, engine: Engine) -> None:
        self.one_thread = single_writer(engine)
        self._thread: ThreadPoolExecutor | None = None

    async def run(self, function: Callable[[], T]) -> T:
        """``function()`` in the writer thread (the shared pool on PostgreSQL), with the
        request's context (its request id in logs)."""
        if not self.one_thread:
            return await run_in_threadpool(function)
        if self._thread is None:  # made on first use, so an app can be served again after close
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._thread, context.run, function)

    def close(self) -> None:
        """Waits for the write in progress, if any (called when the app shuts down)."""
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
