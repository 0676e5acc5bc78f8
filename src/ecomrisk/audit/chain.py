"""Hash chain over audit entries. Pure: entries in, verdict out."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str = ""
    row_id: int | None = None  # the store's id, to point at the entry in reports


def _canonical(entry: Entry) -> bytes:
    # Sorted keys and fixed separators: the same entry always hashes the same,
    # whichever database or JSON library returned it.
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(entry: Entry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    kind: Literal["changed", "inserted", "deleted", "reordered"]
    seq: int
    row_id: int | None
    detail: str

    def __str__(self) -> str:
        where = f"entry seq {self.seq}" + (f" (row id {self.row_id})" if self.row_id else "")
        return f"{self.kind}: {where}: {self.detail}"


def first_break(entries: Iterable[Entry]) -> tuple[ChainBreak | None, int, str]:
    """Walk entries in storage order; return the first break (or None), the count
    checked and the hash of the last entry, which anyone may note down to detect
    a later truncation of the tail."""
    expected_seq = 1
    last_hash = GENESIS_HASH
    previous_hash = GENESIS_HASH  # hash before the last one, to tell insertions apart
    count = 0
    for entry in entries:
        count += 1
        if entry.seq > expected_seq:
            missing = (
                f"{expected_seq}"
                if entry.seq == expected_seq + 1
                else f"{expected_seq}-{entry.seq - 1}"
            )
            return (
                ChainBreak("deleted", entry.seq, entry.row_id, f"entries {missing} are missing"),
                count,
                last_hash,
            )
        if entry.seq < expected_seq:
            return (
                ChainBreak(
                    "inserted",
                    entry.seq,
                    entry.row_id,
                    f"position {entry.seq} is taken twice or out of order",
                ),
                count,
                last_hash,
            )
        if entry.prev_hash != last_hash:
            kind: Literal["changed", "inserted"] = (
                "inserted" if entry.prev_hash == previous_hash else "changed"
            )
            detail = (
                "the entry before it was inserted into the chain"
                if kind == "inserted"
                else "it does not link to the entry before it (changed, or earlier entries deleted)"
            )
            return ChainBreak(kind, entry.seq, entry.row_id, detail), count, last_hash
        if entry_hash(entry) != entry.hash:
            return (
                ChainBreak(
                    "changed", entry.seq, entry.row_id, "its content no longer matches its hash"
                ),
                count,
                last_hash,
            )
        previous_hash, last_hash = last_hash, entry.hash
        expected_seq += 1
    return None, count, last_hash
