"""Idempotent, versioned writes of shipment filings, and what a filer may read back.

The key is (filer, filer_reference). A submission whose canonical content hash
matches a stored version returns that version's receipt and writes nothing, so
a client may retry blindly. Different content under a known key is a
``Conflict`` unless sent as an amendment, which adds the next version and
clears ``is_current`` on the previous one (the partial unique index keeps one
current row per key). Cancelling adds a version with status ``cancelled``.

``write_shipments`` handles a list in ONE transaction given by the caller: a
chunk of a batch commits whole or not at all, so a killed process never leaves
half a filing. ``ingest_chunk`` owns that transaction and retries a chunk that
lost a race for a key to a concurrent writer.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from ecomrisk import audit
from ecomrisk.domain.enums import ShipmentStatus
from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import PostalItemFiling, ShipmentFiling
from ecomrisk.ingest.canonical import content_hash
from ecomrisk.ingest.quality import Quality, assess
from ecomrisk.store.schema import filing_quality, line_items, parties, postal_items, shipments
from ecomrisk.store.shipment_rows import (
    child_rows,
    postal_row,
    quality_row,
    shipment_row,
)

RACE_RETRIES = 3


@dataclass(frozen=True)
class Written:
    """A shipment version as stored: its row and its children's rows, with their ids.

    Handed to the ``OnWritten`` hook by the writer from the rows it just inserted,
    so the hook need not read them back (``read_written`` reads the same from the
    store, for versions written earlier)."""

    sid: int
    shipment: Mapping[str, Any]  # the shipments row (``filing``: the filing as JSON)
    parties: Sequence[Mapping[str, Any]]  # party rows in the order stored (their ids' order)
    items: Sequence[Mapping[str, Any]]  # line item rows, in line order


# Called inside the write's transaction with the versions just written, in order:
# the risk engine decides them there, so a filing and its decision commit together
# (the store knows nothing of risk beyond this seam).
OnWritten = Callable[[Connection, list[Written]], None]

# Built once (see features/events.py on why).
_VERSIONS = select(shipments).where(shipments.c.id.in_(bindparam("sids", expanding=True)))
_PARTIES_OF = (
    select(parties)
    .where(parties.c.shipment_id.in_(bindparam("sids", expanding=True)))
    .order_by(parties.c.id)
)
_ITEMS_OF = (
    select(line_items)
    .where(line_items.c.shipment_id.in_(bindparam("sids", expanding=True)))
    .order_by(line_items.c.shipment_id, line_items.c.line_no)
)


def read_written(connection: Connection, sids: Sequence[int]) -> list[Written]:
    """Stored versions ``sids`` (in that order) as the writer hands them to its hook."""
    if not sids:
        return []
    params = {"sids": list(sids)}
    rows = {row.id: dict(row._mapping) for row in connection.execute(_VERSIONS, params)}
    children: dict[int, tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]] = {
        sid: ([], []) for sid in sids
    }
    for row in connection.execute(_PARTIES_OF, params):
        children[row.shipment_id][0].append(dict(row._mapping))
    for row in connection.execute(_ITEMS_OF, params):
        children[row.shipment_id][1].append(dict(row._mapping))
    return [Written(sid, rows[sid], *children[sid]) for sid in sids]


@dataclass(frozen=True)
class Receipt:
    filer_reference: str
    version: int
    status: str
    content_hash: str
    received_at: datetime
    replayed: bool  # True: an identical earlier submission; nothing was written
    quality_score: float | None
    shipment_id: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """A submission refused for its key, not its content: 409 or 404 to the filer."""

    filer_reference: str
    kind: Literal["conflict", "not_found"]
    message: str


@dataclass(frozen=True)
class Submission:
    filing: ShipmentFiling
    amend: bool = False
    postal: PostalItemFiling | None = None  # the CN 23 filing behind a mail shipment
    # When the filing was received, if not now: history imports keep the past time,
    # so point-in-time features and data quality see it as it was.
    received_at: datetime | None = None

    @classmethod
    def of_postal(cls, postal: PostalItemFiling, amend: bool = False) -> "Submission":
        return cls(postal.to_shipment(), amend, postal)

    @property
    def content_hash(self) -> str:
        if self.postal is not None:  # CN 23 fields beyond the shipment view count too
            return content_hash(self.postal, salt="postal:")
        return content_hash(self.filing)


@dataclass
class _KeyState:
    """What the store (plus writes planned earlier in this chunk) holds for one key."""

    versions: list[Any] = field(default_factory=list)  # rows: id, version, hash, status...

    @property
    def current(self) -> Any | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class _Version:
    id: int | None
    version: int
    content_hash: str
    status: str
    received_at: datetime
    quality_score: float | None


# Built once (see features/events.py on why): every submission looks its key up.
_KEY_STATES = (
    select(
        shipments.c.id,
        shipments.c.filer_reference,
        shipments.c.version,
        shipments.c.content_hash,
        shipments.c.status,
        shipments.c.received_at,
        filing_quality.c.score,
    )
    .outerjoin(filing_quality, filing_quality.c.shipment_id == shipments.c.id)
    .where(
        shipments.c.filer_id == bindparam("filer"),
        shipments.c.filer_reference.in_(bindparam("references", expanding=True)),
    )
    .order_by(shipments.c.filer_reference, shipments.c.version)
)


_INSERT_SHIPMENTS = shipments.insert().returning(
    shipments.c.id, shipments.c.filer_reference, shipments.c.version, sort_by_parameter_order=True
)
_INSERT = {table: table.insert() for table in (parties, line_items, postal_items, filing_quality)}


def _load_states(
    connection: Connection, filer_id: int, references: set[str]
) -> dict[str, _KeyState]:
    states: dict[str, _KeyState] = {ref: _KeyState() for ref in references}
    rows = connection.execute(_KEY_STATES, {"filer": filer_id, "references": list(references)})
    for r in rows:
        states[r.filer_reference].versions.append(
            _Version(r.id, r.version, r.content_hash, r.status, r.received_at, r.score)
        )
    return states


def _receipt(
    reference: str, v: _Version, replayed: bool, warnings: tuple[str, ...] = ()
) -> Receipt:
    assert v.id is not None
    return Receipt(
        reference,
        v.version,
        v.status,
        v.content_hash,
        v.received_at,
        replayed,
        v.quality_score,
        v.id,
        warnings,
    )


def deadline_hours(profile: JurisdictionProfile, mode: str) -> float:
    deadline = profile.deadlines.get(mode)  # type: ignore[call-overload]
    return deadline.hours_before_arrival if deadline is not None else 0.0


def write_shipments(
    connection: Connection,
    filer_id: int,
    submissions: Sequence[Submission],
    *,
    profile: JurisdictionProfile,
    actor: str,
    reference_unit_values: dict[str, Decimal] | None = None,
    now: datetime | None = None,
    on_written: OnWritten | None = None,
) -> list[Receipt | Rejection]:
    """Write what is new in ``submissions`` inside the caller's transaction; one
    result per submission, in order."""
    written_at = (now or datetime.now(UTC)).astimezone(UTC)
    states = _load_states(connection, filer_id, {s.filing.filer_reference for s in submissions})
    results: list[Receipt | Rejection | None] = [None] * len(submissions)
    # index, submission, hash, version, quality, received at
    planned: list[tuple[int, Submission, str, int, Quality, datetime]] = []
    planned_index: dict[tuple[str, int], int] = {}  # (reference, version) -> submission index
    repeats: list[tuple[int, int]] = []  # (index, index of the identical planned submission)
    retire: list[int] = []  # ids of rows that stop being current

    for index, sub in enumerate(submissions):
        reference = sub.filing.filer_reference
        state = states[reference]
        digest = sub.content_hash
        current = state.current
        if current is None:
            if sub.amend:
                results[index] = Rejection(
                    reference, "not_found", "nothing to amend: unknown filer_reference"
                )
                continue
            version = 1
        elif current.status == ShipmentStatus.CANCELLED:
            results[index] = Rejection(
                reference,
                "conflict",
                f"filer_reference {reference!r} was cancelled (version {current.version})",
            )
            continue
        else:
            same = [v for v in state.versions if v.content_hash == digest]
            if same and (not sub.amend or current.content_hash == digest):
                match = same[-1]
                if match.id is None:  # repeated within this chunk: answered after the writes
                    repeats.append((index, planned_index[(reference, match.version)]))
                else:
                    results[index] = _receipt(reference, match, True)
                continue
            if not sub.amend:
                results[index] = Rejection(
                    reference,
                    "conflict",
                    f"filer_reference {reference!r} is already filed (version {current.version}) "
                    "with different content; send it as an amendment to change it",
                )
                continue
            version = current.version + 1
            if current.id is not None:
                retire.append(current.id)
        received_at = sub.received_at.astimezone(UTC) if sub.received_at else written_at
        quality = assess(
            sub.filing,
            received_at=received_at,
            deadline_hours=deadline_hours(profile, sub.filing.mode),
            reference_unit_values=reference_unit_values,
        )
        state.versions.append(
            _Version(None, version, digest, ShipmentStatus.ACTIVE.value, received_at, quality.score)
        )
        planned_index[(reference, version)] = index
        planned.append((index, sub, digest, version, quality, received_at))

    if planned:
        if retire:
            connection.execute(
                update(shipments).where(shipments.c.id.in_(retire)).values(is_current=False)
            )
        # A key amended within this chunk: only its last planned version is current.
        last_version = {sub.filing.filer_reference: version for _, sub, _, version, *_ in planned}
        rows = [
            shipment_row(
                sub.filing,
                filer_id=filer_id,
                version=version,
                status=ShipmentStatus.ACTIVE.value,
                content_hash=digest,
                received_at=received_at,
            )
            | {"is_current": last_version[sub.filing.filer_reference] == version}
            for _, sub, digest, version, _, received_at in planned
        ]
        returned = connection.execute(_INSERT_SHIPMENTS, rows).all()
        children: dict[Any, list[dict[str, Any]]] = {
            parties: [],
            line_items: [],
            postal_items: [],
            filing_quality: [],
        }
        written: list[Written] = []
        all_parties: list[dict[str, Any]] = []
        for (index, sub, digest, version, quality, received_at), row, shipment in zip(
            planned, returned, rows, strict=True
        ):
            party_rows, item_rows = child_rows(row.id, sub.filing)
            all_parties += party_rows
            children[line_items] += item_rows
            written.append(Written(row.id, shipment | {"id": row.id}, party_rows, item_rows))
            if sub.postal is not None:
                children[postal_items].append(postal_row(row.id, sub.postal))
            children[filing_quality].append(quality_row(row.id, filer_id, received_at, quality))
            results[index] = Receipt(
                sub.filing.filer_reference,
                version,
                ShipmentStatus.ACTIVE.value,
                digest,
                received_at,
                False,
                quality.score,
                row.id,
            )
        children[parties] = all_parties
        for table, table_rows in children.items():
            if table_rows:
                connection.execute(_INSERT[table], table_rows)
        audit.record(
            connection,
            actor=actor,
            action="shipment.file",
            entity="shipment",
            entity_id=returned[0].id if len(returned) == 1 else None,
            after={
                "filer_id": filer_id,
                "filings": [[r.filer_reference, r.version] for r in returned],
            },
            at=written_at,
        )
        if on_written is not None:
            on_written(connection, written)
    for index, original in repeats:
        first = results[original]
        assert isinstance(first, Receipt)
        results[index] = replace(first, replayed=True)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def ingest_chunk(
    engine: Engine,
    filer_id: int,
    submissions: Sequence[Submission],
    *,
    profile: JurisdictionProfile,
    actor: str,
    on_written: OnWritten | None = None,
) -> list[Receipt | Rejection]:
    """One chunk in one transaction; retried when a concurrent writer took a key first."""
    for attempt in range(RACE_RETRIES):
        try:
            with engine.begin() as connection:
                return write_shipments(
                    connection,
                    filer_id,
                    submissions,
                    profile=profile,
                    actor=actor,
                    on_written=on_written,
                )
        except IntegrityError:
            if attempt == RACE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def cancel_shipment(
    connection: Connection,
    filer_id: int,
    reference: str,
    *,
    actor: str,
    now: datetime | None = None,
    on_written: OnWritten | None = None,
) -> Receipt | Rejection:
    """Add a cancelled version (a copy of the current filing); repeating is harmless."""
    received_at = (now or datetime.now(UTC)).astimezone(UTC)
    current = connection.execute(
        select(shipments).where(
            shipments.c.filer_id == filer_id,
            shipments.c.filer_reference == reference,
            shipments.c.is_current,
        )
    ).one_or_none()
    if current is None:
        return Rejection(reference, "not_found", "nothing to cancel: unknown filer_reference")
    if current.status == ShipmentStatus.CANCELLED:
        v = _Version(
            current.id,
            current.version,
            current.content_hash,
            current.status,
            current.received_at,
            None,
        )
        return _receipt(reference, v, True)
    connection.execute(
        update(shipments).where(shipments.c.id == current.id).values(is_current=False)
    )
    row = dict(current._mapping)
    del row["id"]
    row |= {
        "version": current.version + 1,
        "is_current": True,
        "status": ShipmentStatus.CANCELLED.value,
        "content_hash": hashlib.sha256(f"cancelled:{current.content_hash}".encode()).hexdigest(),
        "received_at": received_at,
    }
    new_id = connection.execute(
        shipments.insert().values(row).returning(shipments.c.id)
    ).scalar_one()
    audit.record(
        connection,
        actor=actor,
        action="shipment.cancel",
        entity="shipment",
        entity_id=new_id,
        before={"version": current.version},
        after={"filer_id": filer_id, "filer_reference": reference, "version": current.version + 1},
        at=received_at,
    )
    if on_written is not None:  # a cancelled version has no parties or items of its own
        on_written(connection, [Written(new_id, row | {"id": new_id}, [], [])])
    v = _Version(
        new_id,
        current.version + 1,
        row["content_hash"],
        ShipmentStatus.CANCELLED.value,
        received_at,
        None,
    )
    return _receipt(reference, v, False)
