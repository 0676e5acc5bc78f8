"""Audit entries in the store: appended in the caller's transaction, verified on demand."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select, update

from ecomrisk.audit.chain import ChainBreak, Entry, entry_hash, first_break
from ecomrisk.store.schema import audit_head, audit_log

VERIFY_BATCH_ROWS = 5_000

# Statements built once: SQLAlchemy spends longer building and keying a statement
# than SQLite spends running it, and every filing appends an entry.
_TAKE_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=audit_head.c.seq + 1)
    .returning(audit_head.c.seq, audit_head.c.hash)
)
_INSERT_ENTRY = audit_log.insert()
_SET_HEAD_HASH = update(audit_head).where(audit_head.c.id == 1).values(hash=bindparam("digest"))


def record(
    connection: Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> Entry:
    """Append one entry, chained to the head, within the caller's transaction."""
    # Taking the head row first serialises appenders: a row lock on PostgreSQL,
    # the database write lock on SQLite. The increment is done in SQL so two
    # writers can never both read the same position; RETURNING reads the new
    # position and the previous hash in the same statement (one round trip).
    head = connection.execute(_TAKE_HEAD).one()
    entry = Entry(
        seq=head.seq,
        at=(at or datetime.now(UTC)).astimezone(UTC),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        prev_hash=head.hash,
    )
    digest = entry_hash(entry)
    connection.execute(
        _INSERT_ENTRY,
        {
            "seq": entry.seq,
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "before": entry.before,
            "after": entry.after,
            "prev_hash": entry.prev_hash,
            "hash": digest,
        },
    )
    connection.execute(_SET_HEAD_HASH, {"digest": digest})
    return Entry(**{**entry.__dict__, "hash": digest})


def _entries(engine: Engine) -> Iterator[Entry]:
    # Keyset pagination: bounded memory whatever the length of the log.
    last_seq = 0
    with engine.connect() as connection:
        while True:
            rows = connection.execute(
                select(audit_log)
                .where(audit_log.c.seq > last_seq)
                .order_by(audit_log.c.seq)
                .limit(VERIFY_BATCH_ROWS)
            ).all()
            if not rows:
                return
            for row in rows:
                yield Entry(
                    seq=row.seq,
                    at=row.at,
                    actor=row.actor,
                    action=row.action,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    before=row.before,
                    after=row.after,
                    prev_hash=row.prev_hash,
                    hash=row.hash,
                    row_id=row.id,
                )
            last_seq = rows[-1].seq


@dataclass(frozen=True)
class Verification:
    entries: int
    head_hash: str
    problem: ChainBreak | str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(engine: Engine) -> Verification:
    """Check the whole chain, then that it ends where the head says it does."""
    problem, count, last_hash = first_break(_entries(engine))
    if problem is not None:
        return Verification(count, last_hash, problem)
    with engine.connect() as connection:
        head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    if head.seq != count or head.hash != last_hash:
        return Verification(
            count,
            last_hash,
            f"the chain ends at position {count} but the head records position {head.seq}: "
            "entries at the end were deleted or appended outside ecomrisk",
        )
    return Verification(count, last_hash, None)


@dataclass(frozen=True)
class AuditPage:
    entries: list[Entry]
    total: int


def browse(
    connection: Connection,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Entries newest first, filtered by entity (and id) and by who made them."""
    conditions = []
    if entity:
        conditions.append(audit_log.c.entity == entity)
    if entity_id:
        conditions.append(audit_log.c.entity_id == entity_id)
    if actor:
        conditions.append(audit_log.c.actor == actor)
    rows = connection.execute(
        select(audit_log)
        .where(*conditions)
        .order_by(audit_log.c.seq.desc())
        .limit(min(limit, VERIFY_BATCH_ROWS))
        .offset(offset)
    ).all()
    total = connection.execute(
        select(func.count()).select_from(audit_log).where(*conditions)
    ).scalar_one()
    entries = [
        Entry(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            action=r.action,
            entity=r.entity,
            entity_id=r.entity_id,
            before=r.before,
            after=r.after,
            prev_hash=r.prev_hash,
            hash=r.hash,
            row_id=r.id,
        )
        for r in rows
    ]
    return AuditPage(entries, int(total))


def entities(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            select(audit_log.c.entity).distinct().order_by(audit_log.c.entity)
        ).scalars()
    )
