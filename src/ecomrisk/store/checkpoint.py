"""SQLite's write-ahead log checkpointed off the request path, in a background thread.

By default SQLite checkpoints inside the commit that takes the log past 1,000
pages: that commit copies the log into the database and waits for fsync. With
each filing dirtying ~30 pages, one filing in ~30 paid 8-28 ms for it
(bench: commit p50 0.2 ms, p95 8.2 ms, p99 19.5 ms), which alone broke the
single-filing p99 goal. The server instead raises the automatic checkpoint to a
backstop (``BACKSTOP_PAGES``) and runs a PASSIVE checkpoint every ``interval``
seconds: it never blocks writers or readers, and Python's sqlite3 releases the
GIL while it runs.

Under steady writes a PASSIVE checkpoint copies the log but cannot start it over
(a writer appends while it copies); the backstop does, in the commit that takes
the log past it: by then all but the last ~0.1 s of pages are copied, so that
commit copies few. A RESTART checkpoint from this thread, which made writers
wait while it copied the rest and synced the database, was dropped: on the
2 CPU machine of 2026-12-02 it held the writer for 13-57 ms every ~0.5 s at 200
filings/s, and the single-filing p99 was 17-67 ms (median 28, eight 30 s runs)
against 13-24 ms (median 18, six runs) without it (docs/benchmarks.md).

Durability is unchanged: a commit is in the log before it returns, whoever
checkpoints it later (see ``engine.py`` on ``synchronous=NORMAL``).
"""

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event

# ~80 MB of log with 4 KiB pages: at 200 filings/s of ~45 pages each, one commit
# in ~440 starts the log over.
BACKSTOP_PAGES = 20_000
# Every 0.5 s each checkpoint had ~4,600 pages to copy; every 0.1 s a fifth of
# that (docs/benchmarks.md). Every 0.02 or 0.05 s cost more CPU and did not start
# the log over any sooner.
INTERVAL_SECONDS = 0.1

log = logging.getLogger(__name__)


def _backstop(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


class WalCheckpointer:
    """Checkpoints ``engine``'s log every ``interval`` seconds between ``start`` and
    ``stop``; does nothing on other databases than SQLite."""

    def __init__(self, engine: Engine, interval: float = INTERVAL_SECONDS) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def applies(self) -> bool:
        return self.engine.dialect.name == "sqlite" and self.engine.url.database not in (
            None,
            "",
            ":memory:",
        )

    def start(self) -> None:
        if not self.applies or self._thread is not None:
            return
        if not event.contains(self.engine, "connect", _backstop):
            event.listen(self.engine, "connect", _backstop)
        self.engine.dispose()  # pooled connections reopen with the backstop
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=10)
        self._thread = None
        self.checkpoint()  # leave a short log behind

    def checkpoint(self) -> None:
        try:
            with self.engine.connect() as connection:
                # Read to the end: an unfinished statement would pin the log's snapshot.
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()
        except Exception as error:  # the backstop still bounds the log
            log.warning("WAL checkpoint failed: %s", error)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint()
