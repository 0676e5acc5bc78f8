"""Confirmed matches: an analyst says two party records are one entity. The next
batch resolution links them whatever the model says, and learns from them."""

from datetime import datetime

from sqlalchemy import Connection, select

from ecomrisk.audit.log import record
from ecomrisk.store.schema import entity_confirmations, parties


class ConfirmError(ValueError):
    pass


def confirm_match(
    connection: Connection, party_a: int, party_b: int, by: str, at: datetime
) -> None:
    if party_a == party_b:
        raise ConfirmError(f"party_b: {party_b} is the same record as party_a")
    left, right = min(party_a, party_b), max(party_a, party_b)
    found = set(
        connection.execute(select(parties.c.id).where(parties.c.id.in_([left, right]))).scalars()
    )
    for name, pid in (("party_a", party_a), ("party_b", party_b)):
        if pid not in found:
            raise ConfirmError(f"{name}: no party record {pid}")
    exists = connection.execute(
        select(entity_confirmations.c.id).where(
            entity_confirmations.c.party_l == left, entity_confirmations.c.party_r == right
        )
    ).first()
    if exists:
        return
    connection.execute(
        entity_confirmations.insert().values(
            party_l=left, party_r=right, created_by=by, created_at=at
        )
    )
    record(
        connection,
        actor=by,
        action="confirm",
        entity="entity_match",
        entity_id=f"{left}-{right}",
        after={"parties": [left, right]},
        at=at,
    )
