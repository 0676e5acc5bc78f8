"""Trusted parties: who gets the lower random rate of the jurisdiction profile.

The trusted-shipper programme (issue 10) will vet and fill this table; until
then administrators add entries by hand (``ecomrisk targeting trust``). An entry
names a role and a key: a filer code for ``filer``, else a party name as the
store normalises it (``parties.name_norm``), so it matches however the name was
typed. Every entry says where it came from (``source``) and when it holds.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from ecomrisk import audit
from ecomrisk.ingest import normalise
from ecomrisk.store.schema import filers, parties, shipments, trusted_parties

ROLES = ("filer", "shipper", "seller", "consignee")


class TrustError(ValueError):
    """A trusted-party entry that cannot be stored; names the field."""


@dataclass(frozen=True)
class TrustedParty:
    role: str
    key: str
    source: str
    valid_from: str
    valid_to: str | None


def add(
    connection: Connection,
    role: str,
    name: str,
    *,
    source: str,
    actor: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> TrustedParty:
    if role not in ROLES:
        raise TrustError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    key = name.strip() if role == "filer" else normalise.name(name)
    if not key:
        raise TrustError("name: empty")
    if not source.strip():
        raise TrustError("source: say where the trust comes from (e.g. a programme decision)")
    start = (valid_from or datetime.now(UTC).date()).isoformat()
    end = valid_to.isoformat() if valid_to else None
    if end is not None and end <= start:
        raise TrustError("valid_to: must be after valid_from")
    if connection.execute(
        select(trusted_parties.c.id).where(
            trusted_parties.c.role == role, trusted_parties.c.key == key
        )
    ).first():
        raise TrustError(f"{role} {key!r} is trusted already")
    entry = TrustedParty(role, key, source.strip(), start, end)
    connection.execute(
        trusted_parties.insert().values(
            role=role,
            key=key,
            source=entry.source,
            valid_from=start,
            valid_to=end,
            created_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="trusted.add",
        entity="trusted_party",
        entity_id=f"{role}:{key}",
        after=entry.__dict__,
    )
    return entry


def list_all(connection: Connection) -> list[TrustedParty]:
    rows = connection.execute(
        select(trusted_parties).order_by(trusted_parties.c.role, trusted_parties.c.key)
    )
    return [TrustedParty(r.role, r.key, r.source, r.valid_from, r.valid_to) for r in rows]


def trusted_clause(day: date) -> ColumnElement[Any]:
    """True for a shipments row whose filer, shipper, seller or consignee is
    trusted on ``day`` (a correlated EXISTS: use it in a select over shipments)."""
    when = day.isoformat()
    valid = and_(
        trusted_parties.c.valid_from <= when,
        or_(trusted_parties.c.valid_to.is_(None), trusted_parties.c.valid_to > when),
    )
    by_filer = exists(
        select(trusted_parties.c.id)
        .join(filers, filers.c.code == trusted_parties.c.key)
        .where(trusted_parties.c.role == "filer", filers.c.id == shipments.c.filer_id, valid)
    )
    by_party = exists(
        select(trusted_parties.c.id)
        .join(
            parties,
            and_(
                parties.c.role == trusted_parties.c.role,
                parties.c.name_norm == trusted_parties.c.key,
            ),
        )
        .where(parties.c.shipment_id == shipments.c.id, valid)
    )
    return or_(by_filer, by_party)
