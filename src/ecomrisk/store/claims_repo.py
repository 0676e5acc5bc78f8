"""Claims on queue shipments: one officer per filing at a time, audited."""

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import IntegrityError

from ecomrisk import audit
from ecomrisk.store.schema import queue_claims, users


class ClaimError(ValueError):
    """A claim that cannot be made or released; the message says why."""


def claimant(connection: Connection, filer_id: int, reference: str) -> str | None:
    return connection.execute(
        select(users.c.username)
        .join(queue_claims, queue_claims.c.user_id == users.c.id)
        .where(queue_claims.c.filer_id == filer_id, queue_claims.c.filer_reference == reference)
    ).scalar()


def claim(
    connection: Connection, filer_id: int, reference: str, user_id: int, *, actor: str
) -> None:
    """Claim a filing for ``user_id``; claiming one's own claim again is a no-op."""
    holder = claimant(connection, filer_id, reference)
    if holder is not None:
        mine = connection.execute(
            select(queue_claims.c.user_id).where(
                queue_claims.c.filer_id == filer_id, queue_claims.c.filer_reference == reference
            )
        ).scalar()
        if mine == user_id:
            return
        raise ClaimError(f"claimed by {holder} already")
    try:
        with connection.begin_nested():  # a concurrent claim loses on the primary key
            connection.execute(
                queue_claims.insert().values(
                    filer_id=filer_id,
                    filer_reference=reference,
                    user_id=user_id,
                    claimed_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        raise ClaimError(
            f"claimed by {claimant(connection, filer_id, reference)} already"
        ) from None
    audit.record(
        connection,
        actor=actor,
        action="queue.claim",
        entity="shipment",
        entity_id=f"{filer_id}/{reference}",
        after={"user_id": user_id},
    )


def release(
    connection: Connection,
    filer_id: int,
    reference: str,
    user_id: int,
    *,
    actor: str,
    may_release_others: bool,
) -> None:
    row = connection.execute(
        select(queue_claims.c.user_id).where(
            queue_claims.c.filer_id == filer_id, queue_claims.c.filer_reference == reference
        )
    ).one_or_none()
    if row is None:
        raise ClaimError("not claimed")
    if row.user_id != user_id and not may_release_others:
        raise ClaimError(
            f"claimed by {claimant(connection, filer_id, reference)}: only a supervisor "
            "can release another officer's claim"
        )
    connection.execute(
        delete(queue_claims).where(
            queue_claims.c.filer_id == filer_id, queue_claims.c.filer_reference == reference
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="queue.release",
        entity="shipment",
        entity_id=f"{filer_id}/{reference}",
        before={"user_id": row.user_id},
    )
