"""The cyclic garbage collector paused for a batch run.

Batch work (rescoring, rendering a synthetic world, ingesting a bulk file) makes
hundreds of thousands of acyclic dicts, lists and models a chunk. Left to itself,
the collector scans them again and again as a chunk's objects pile up, and its
full collections walk every object in the process (the libraries' too: XGBoost,
SQLAlchemy, pydantic): measured, about a fifth of a chunk's time. Nearly all of a
chunk's objects are freed by reference counting; the few in cycles (one of 5,000
rescored rows leaves ~100) are collected by ``collect(rows)`` once enough rows
have passed, which bounds what waits for the collector.
"""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(collect_every_rows: int = 100_000) -> Iterator[Callable[[int], None]]:
    """Pause the collector; call the yielded ``collect(rows)`` after each chunk with
    its number of rows. The collector is enabled again after, if it was before."""
    was_enabled = gc.isenabled()
    gc.disable()
    since = 0

    def collect(rows: int) -> None:
        nonlocal since
        since += rows
        if since >= collect_every_rows:
            gc.collect(1)  # the young generations: where a chunk's cycles are
            since = 0

    try:
        yield collect
    finally:
        if was_enabled:
            gc.enable()
