"""Party records read from the store and folded into distinct signatures.

Shared by the batch resolver (every record) and by anything that needs each
record's keys again (the link graph); the keys come from ``keys.record_keys``.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from ecomrisk.risk.network.keys import PARTY_KEY_COLUMNS, Keys, record_keys
from ecomrisk.store.schema import parties, shipments

READ_BATCH_ROWS = 50_000


@dataclass
class Signature:
    id: int  # the oldest party record with these keys
    keys: Keys
    name: str  # its raw name, to show
    parties: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def record(self) -> dict[str, Any]:
        return {"unique_id": self.id, **self.keys.columns()}

    def seen(self, at: datetime) -> None:
        self.parties += 1
        if self.first_seen is None or at < self.first_seen:
            self.first_seen = at
        if self.last_seen is None or at > self.last_seen:
            self.last_seen = at


@dataclass
class Folded:
    signatures: list[Signature] = field(default_factory=list)  # ordered by id
    of_party: dict[int, int] = field(default_factory=dict)  # party id -> signature id
    entity_of_party: dict[int, str | None] = field(default_factory=dict)  # as stored


def party_rows(connection: Connection) -> Iterator[Any]:
    query = (
        select(
            parties.c.id,
            parties.c.name,
            parties.c.entity_id,
            shipments.c.received_at,
            *(parties.c[c] for c in PARTY_KEY_COLUMNS),
        )
        .join(shipments, shipments.c.id == parties.c.shipment_id)
        .order_by(parties.c.id)
    )
    result = connection.execution_options(yield_per=READ_BATCH_ROWS).execute(query)
    for partition in result.partitions():
        yield from partition


def cached_keys() -> Callable[[Any], Keys]:
    """``record_keys`` remembering raw inputs: most party records repeat exactly."""
    cache: dict[tuple[Any, ...], Keys] = {}

    def keys(row: Any) -> Keys:
        raw = tuple(getattr(row, c) for c in PARTY_KEY_COLUMNS)
        found = cache.get(raw)
        if found is None:
            found = cache[raw] = record_keys(row)
        return found

    return keys


def fold(engine: Engine, progress: Callable[[int], None] | None = None) -> Folded:
    """Every stored party record, folded into signatures (each with its oldest record's id)."""
    folded = Folded()
    by_signature: dict[str, Signature] = {}
    keys_of = cached_keys()
    with engine.connect() as connection:
        for n, row in enumerate(party_rows(connection), start=1):
            keys = keys_of(row)
            signature = keys.signature
            found = by_signature.get(signature)
            if found is None:  # rows come by id: the first seen is the oldest
                found = by_signature[signature] = Signature(row.id, keys, row.name)
                folded.signatures.append(found)
            found.seen(row.received_at)
            folded.of_party[row.id] = found.id
            folded.entity_of_party[row.id] = row.entity_id
            if progress is not None and n % READ_BATCH_ROWS == 0:
                progress(n)
    if progress is not None:
        progress(len(folded.of_party))
    return folded
