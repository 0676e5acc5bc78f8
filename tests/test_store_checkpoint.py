"""The served SQLite store's log is checkpointed by a background thread, not by commits."""

import time
from pathlib import Path

from sqlalchemy import Engine

from ecomrisk.store.checkpoint import BACKSTOP_PAGES, WalCheckpointer
from ecomrisk.store.engine import create_engine_for_url


def _engine(tmp_path: Path) -> tuple[Engine, Path]:
    path = tmp_path / "store.db"
    return create_engine_for_url(f"sqlite:///{path}"), path


def _write(engine: Engine, rows: int) -> None:
    for _ in range(rows):
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (randomblob(4000))")


def test_commits_leave_the_log_to_the_thread_which_copies_it_into_the_database(
    tmp_path: Path,
) -> None:
    engine, path = _engine(tmp_path)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x BLOB)")
    checkpointer = WalCheckpointer(engine, interval=0.05)
    checkpointer.start()
    try:
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == BACKSTOP_PAGES  # commits checkpoint only far past the default 1,000
        before = path.stat().st_size
        _write(engine, 1_500)  # ~6 MB: past the default threshold, under the backstop
        deadline = time.monotonic() + 10
        while path.stat().st_size < before + 4_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size >= before + 4_000_000  # the pages reached the database
    finally:
        checkpointer.stop()
    assert checkpointer._thread is None


def test_without_the_thread_a_commit_below_the_backstop_leaves_the_pages_in_the_log(
    tmp_path: Path,
) -> None:
    # The control for the test above: the database file grows only by checkpoints.
    path = tmp_path / "store.db"
    # One pooled connection, so the per-connection setting holds for every write.
    engine = create_engine_for_url(f"sqlite:///{path}", pool_size=1, max_overflow=0)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x BLOB)")
        connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    before = path.stat().st_size
    _write(engine, 300)
    time.sleep(0.3)
    assert path.stat().st_size < before + 1_000_000


def test_an_in_memory_store_has_no_thread() -> None:
    checkpointer = WalCheckpointer(create_engine_for_url("sqlite://"))
    checkpointer.start()
    assert checkpointer._thread is None
    checkpointer.stop()


def test_a_checkpoint_never_waits_for_the_writer(tmp_path: Path) -> None:
    # A RESTART checkpoint (which the thread used to run once the log was long) waits
    # for the writer to finish and holds the next one back; a PASSIVE one copies what
    # it can and returns. Here the writer holds its transaction open throughout.
    engine, _path = _engine(tmp_path)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x BLOB)")
        connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    with engine.begin() as connection:  # ~6,000 pages of log, more than a RESTART waited for
        for _ in range(6_000):
            connection.exec_driver_sql("INSERT INTO t VALUES (randomblob(4000))")
    writer = engine.connect()
    writer.exec_driver_sql("BEGIN IMMEDIATE")
    writer.exec_driver_sql("INSERT INTO t VALUES (randomblob(10))")
    try:
        started = time.monotonic()
        WalCheckpointer(engine).checkpoint()
        waited = time.monotonic() - started
    finally:
        writer.exec_driver_sql("COMMIT")
        writer.close()
    assert waited < 5  # a RESTART would have waited for the busy timeout (30 s)
    with engine.connect() as connection:
        [(_busy, pages, copied)] = connection.exec_driver_sql(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).all()
    assert copied == pages  # and it copied the log
