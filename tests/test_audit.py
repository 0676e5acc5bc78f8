"""The audit log is append-only, and its hash chain reveals any change made behind its back."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from ecomrisk import audit
from ecomrisk.audit.chain import Entry, entry_hash, first_break


def _append(store: Engine, count: int) -> None:
    for i in range(count):
        with store.begin() as connection:
            audit.record(
                connection,
                actor=f"user{i % 3}",
                action="update",
                entity="filer",
                entity_id=i,
                before={"name": f"old {i}", "amount": 1.5},
                after={"name": f"new {i}", "tags": ["a", "b"]},
            )


def _drop_guards(store: Engine) -> None:
    """What an attacker with owner rights would do first."""
    with store.begin() as connection:
        if store.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


def test_intact_chain_verifies(store: Engine) -> None:
    _append(store, 7)
    result = audit.verify(store)
    assert result.ok, result.problem
    assert result.entries == 7


def test_entries_survive_a_round_trip_through_the_database(store: Engine) -> None:
    with store.begin() as connection:
        written = audit.record(
            connection, actor="ana", action="create", entity="rule", after={"x": "é"}
        )
    assert audit.verify(store).head_hash == written.hash


def test_update_and_delete_are_refused_by_the_database(store: Engine) -> None:
    _append(store, 2)
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.begin() as connection:
            connection.execute(text(statement))
    assert audit.verify(store).ok


def test_changed_entry_is_reported(store: Engine) -> None:
    _append(store, 5)
    _drop_guards(store)
    with store.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    result = audit.verify(store)
    assert isinstance(result.problem, audit.ChainBreak)
    assert (result.problem.kind, result.problem.seq) == ("changed", 3)


def test_deleted_entry_is_reported(store: Engine) -> None:
    _append(store, 5)
    _drop_guards(store)
    with store.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    result = audit.verify(store)
    assert isinstance(result.problem, audit.ChainBreak)
    assert (result.problem.kind, result.problem.seq) == ("deleted", 3)


def test_deleted_tail_is_reported(store: Engine) -> None:
    _append(store, 5)
    _drop_guards(store)
    with store.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    result = audit.verify(store)
    assert not result.ok
    assert "head records position 5" in str(result.problem)


def test_inserted_entry_is_reported(store: Engine) -> None:
    """A forged entry slipped in at position 3, later entries renumbered to make room."""
    _append(store, 4)
    _drop_guards(store)
    with store.begin() as connection:
        row = connection.execute(text("SELECT hash FROM audit_log WHERE seq = 2")).one()
        forged = Entry(
            seq=3,
            at=datetime(2026, 1, 1, tzinfo=UTC),
            actor="mallory",
            action="delete",
            entity="case",
            entity_id="9",
            before=None,
            after=None,
            prev_hash=row.hash,
        )
        for seq in (4, 3):  # renumber from the end so the unique index holds
            connection.execute(
                text("UPDATE audit_log SET seq = :new WHERE seq = :old"),
                {"new": seq + 1, "old": seq},
            )
        connection.execute(
            text(
                "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, hash)"
                " VALUES (3, :at, 'mallory', 'delete', 'case', '9', :prev, :hash)"
            ),
            {
                "at": forged.at if store.dialect.name != "sqlite" else "2026-01-01 00:00:00",
                "prev": row.hash,
                "hash": entry_hash(forged),
            },
        )
    result = audit.verify(store)
    assert isinstance(result.problem, audit.ChainBreak)
    assert result.problem.kind == "inserted"
    assert result.problem.seq == 4


def test_concurrent_appends_keep_one_gap_free_chain(store: Engine) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            _append(store, 10)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit.verify(store)
    assert result.ok, result.problem
    assert result.entries == 40


def _chain(n: int) -> list[Entry]:
    entries, prev = [], audit.GENESIS_HASH
    for seq in range(1, n + 1):
        entry = Entry(
            seq,
            datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=seq),
            "a",
            "x",
            "e",
            None,
            None,
            {"n": seq},
            prev,
        )
        entry = Entry(**{**entry.__dict__, "hash": entry_hash(entry)})
        entries.append(entry)
        prev = entry.hash
    return entries


def test_pure_chain_walk_reports_reordering_as_a_break() -> None:
    entries = _chain(4)
    problem, _, _ = first_break([entries[0], entries[2], entries[1], entries[3]])
    assert problem is not None
    assert problem.seq == 3


def test_pure_chain_walk_accepts_a_valid_chain() -> None:
    problem, count, head = first_break(_chain(6))
    assert problem is None
    assert count == 6
    assert head == _chain(6)[-1].hash
