"""The decisions a transaction wrote, noted on its connection for whoever counts them.

The metrics (``api/ops/metrics.py``) count decisions once their transaction
commits. They used to read each INSERT from an ``after_execute`` listener, which
SQLAlchemy then ran for every statement of every transaction, ~13 a filing:
0.1-0.15 ms of a filing's ~2.5 ms of CPU (in process, 2026-12-02). Now the
counter opens a note when a transaction begins (``open_notes``, from a ``begin``
listener), the decider adds to it, and the counter takes it at commit. Nothing
is noted on an engine nobody counts, so a long batch run keeps no list.
"""

from typing import Any

_KEY = "ecomrisk_decisions_noted"


def open_notes(connection: Any) -> None:
    """Start noting the decisions of the transaction ``connection`` begins."""
    connection.info[_KEY] = []


def note_decision(connection: Any, lane: str, kind: str) -> None:
    """A decision of ``lane`` and ``kind`` (live or shadow) written in this transaction."""
    noted: list[tuple[str, str]] | None = connection.info.get(_KEY)
    if noted is not None:
        noted.append((lane, kind))


def take_notes(connection: Any) -> list[tuple[str, str]]:
    """The decisions noted since the transaction began; the note is closed."""
    noted: list[tuple[str, str]] = connection.info.pop(_KEY, [])
    return noted
