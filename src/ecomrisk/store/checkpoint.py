"""SQLite's write-ahead log checkpointed off the request path, in a background thread.

By default SQLite checkpoints inside the commit that takes the log past 1,000
pages: that commit copies the log into the database and waits for fsync. With
each filing dirtying ~30 pages, one filing in ~30 paid 8-28 ms for it
(bench: commit p50 0.2 ms, p95 8.2 ms, p99 19.5 ms), which alone broke the
single-filing p99 goal. The server instead lowers the automatic checkpoint to a
backstop (``BACKSTOP_PAGES``, only reached if this thread stops keeping up) and
runs a PASSIVE checkpoint every ``interval`` seconds: it never blocks writers or
readers, and Python's sqlite3 releases the GIL while it runs (see
``RESTART_PAGES`` for how the log is kept short).

Durability is unchanged: a commit is in the log before it returns, whoever
checkpoints it later (see ``engine.py`` on ``synchronous=NORMAL``).
"""

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event

BACKSTOP_PAGES = 20_000  # ~80 MB of log with 4 KiB pages
# A filing writes ~45 pages of log, so at 200 filings/s every 0.5 s left ~4,600
# pages to copy and a RESTART every second that held writers for 3-32 ms: p99
# 24-44 ms in 30 s runs of bench/ingest.py. Every 0.1 s each checkpoint is a fifth
# of that and the RESTART waits on fewer pages: p99 11-14 ms (docs/benchmarks.md).
INTERVAL_SECONDS = 0.1

# A PASSIVE checkpoint copies the log into the database but cannot restart it while
# writers keep appending; once the log holds this many pages a RESTART (which makes
# writers wait for the few pages left to copy) lets the next writer start it over.
RESTART_PAGES = 5_000

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
                [(_busy, pages, _copied)] = connection.exec_driver_sql(
                    "PRAGMA wal_checkpoint(PASSIVE)"
                ).all()
                if pages >= RESTART_PAGES:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(RESTART)").all()
        except Exception as error:  # the backstop still bounds the log
            log.warning("WAL checkpoint failed: %s", error)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint()
