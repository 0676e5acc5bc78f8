"""Decisions are noted on their transaction only where someone counts them."""

from sqlalchemy import event

from ecomrisk.store import decision_notes
from ecomrisk.store.engine import create_engine_for_url


def test_notes_are_kept_only_between_open_and_take() -> None:
    engine = create_engine_for_url("sqlite://")
    with engine.connect() as connection:
        decision_notes.note_decision(connection, "green", "live")
        assert decision_notes.take_notes(connection) == []  # nobody opened a note
        decision_notes.open_notes(connection)
        decision_notes.note_decision(connection, "red", "live")
        decision_notes.note_decision(connection, "green", "shadow")
        assert decision_notes.take_notes(connection) == [("red", "live"), ("green", "shadow")]
        assert decision_notes.take_notes(connection) == []
        decision_notes.note_decision(connection, "red", "live")  # the note is closed
        assert decision_notes.take_notes(connection) == []


def test_a_begin_listener_opens_a_note_for_each_transaction() -> None:
    engine = create_engine_for_url("sqlite://")
    taken: list[list[tuple[str, str]]] = []
    event.listen(engine, "begin", decision_notes.open_notes)
    event.listen(engine, "commit", lambda c: taken.append(decision_notes.take_notes(c)))
    event.listen(engine, "rollback", lambda c: decision_notes.take_notes(c))
    with engine.connect() as connection:
        with connection.begin() as transaction:
            decision_notes.note_decision(connection, "amber", "live")
            transaction.rollback()
        with connection.begin():
            decision_notes.note_decision(connection, "red", "live")
    assert taken == [[("red", "live")]]  # the rolled-back decision is not in it
