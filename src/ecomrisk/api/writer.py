"""Where a served single filing's write runs: off the event loop, in one thread.

SQLite takes one writer at a time. When each request's write ran in its own
thread of the shared pool, two at once raced for the lock and the loser slept in
SQLite's busy handler (1, 2, 5, 10 ms ... between tries), a tail-latency source
at 200 filings/s; one writer thread per process queues them instead, without
sleeping. PostgreSQL takes writers side by side, so there the shared pool is kept.

Filings that queue for that thread are written together (group commit,
``store/group_write.py``): each request adds its filing to the queue and hands
the thread one drain; the first drain to run writes everything queued by then, in
one transaction, and the later ones find less or nothing. So the writer does
more filings a second exactly when they arrive faster than it wrote them one by
one, and a filing on an idle server is written at once, alone.

Not on the event loop itself, although that would save the thread hand-off
(~0.5 ms of CPU a filing, bench/ingest.py): a request that holds a write
transaction across an ``await`` (a sync route with ``ConnectionDep`` commits in a
second thread call after its handler returns) would then wait for the loop that
waits for its lock, for the whole busy timeout.
"""

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.ops import metrics
from ecomrisk.store.engine import single_writer
from ecomrisk.store.group_write import FilingJob, Outcome, write_group
from ecomrisk.store.shipments_repo import Receipt, Rejection

T = TypeVar("T")

# A group's filings wait for its commit; past this many the rest start the next group.
MAX_GROUP = 64

_Queued = tuple[FilingJob, asyncio.Future[Receipt | Rejection]]


class StoreWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.one_thread = single_writer(engine)
        self._thread: ThreadPoolExecutor | None = None
        self._queue: list[_Queued] = []
        self._queue_lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        if self._thread is None:  # made on first use, so an app can be served again after close
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        return self._thread

    def _in_thread(self, function: Callable[[], T]) -> "asyncio.Future[T]":
        """``function()`` handed to the writer thread with the request's context (its
        request id in logs)."""
        context = contextvars.copy_context()
        return asyncio.get_running_loop().run_in_executor(self._executor(), context.run, function)

    async def run(self, function: Callable[[], T]) -> T:
        """``function()`` in the writer thread (the shared pool on PostgreSQL)."""
        if not self.one_thread:
            return await run_in_threadpool(function)
        return await self._in_thread(function)

    async def file(self, job: FilingJob) -> Receipt | Rejection:
        """Write one filing, with the filings queued beside it on SQLite; its outcome,
        or the exception writing it raised."""
        if not self.one_thread:
            [outcome] = await self.run(lambda: write_group(self.engine, [job]))
            return _result(outcome)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt | Rejection] = loop.create_future()
        with self._queue_lock:
            self._queue.append((job, future))
        # Not awaited: the drain runs even if this request is cancelled meanwhile, so a
        # queued filing is never left behind. A group's log lines carry the request id
        # of the drain that wrote it, its first filing's.
        self._in_thread(lambda: self._drain(loop))
        return await future

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._queue_lock:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        if not group:
            return  # an earlier drain wrote this request's filing
        metrics.FILING_GROUP.observe(len(group))
        try:
            outcomes: list[Outcome] = write_group(self.engine, [job for job, _ in group])
        except BaseException as error:  # write_group answers each filing; never leave one waiting
            outcomes = [error] * len(group)
        for (_, future), outcome in zip(group, outcomes, strict=True):
            loop.call_soon_threadsafe(_settle, future, outcome)

    def close(self) -> None:
        """Waits for the write in progress, if any (called when the app shuts down)."""
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None


def _result(outcome: Outcome) -> Receipt | Rejection:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _settle(future: asyncio.Future[Receipt | Rejection], outcome: Outcome) -> None:
    if future.done():  # its request was cancelled (the client went away)
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
