"""Filer accounts and their API keys.

A key is shown once, when issued; only its sha256 is stored, so a stolen
database does not yield working keys. Keys look like ``ek_<prefix>_<secret>``:
the prefix is stored in clear to tell keys apart in listings and logs.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from ecomrisk import audit
from ecomrisk.domain.enums import FilerType
from ecomrisk.store.schema import api_keys, filers

KEY_SCHEME = "ek"
PREFIX_CHARS = 8
SECRET_BYTES = 32


class FilerError(ValueError):
    """A filer operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class Filer:
    id: int
    code: str
    name: str
    filer_type: FilerType
    active: bool


@dataclass(frozen=True)
class IssuedKey:
    key: str  # the only time the clear key exists outside the filer's hands
    prefix: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> IssuedKey:
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return IssuedKey(key, prefix)


def _filer(row: object) -> Filer:
    return Filer(
        id=row.id,  # type: ignore[attr-defined]
        code=row.code,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        filer_type=FilerType(row.filer_type),  # type: ignore[attr-defined]
        active=bool(row.active),  # type: ignore[attr-defined]
    )


def get_filer(connection: Connection, code: str) -> Filer:
    row = connection.execute(select(filers).where(filers.c.code == code)).one_or_none()
    if row is None:
        raise FilerError(f"no filer with code {code!r}")
    return _filer(row)


def list_filers(connection: Connection) -> list[Filer]:
    return [_filer(r) for r in connection.execute(select(filers).order_by(filers.c.code))]


def issue_key(connection: Connection, filer: Filer, *, actor: str) -> IssuedKey:
    issued = _new_key()
    connection.execute(
        api_keys.insert().values(
            filer_id=filer.id,
            prefix=issued.prefix,
            key_hash=hash_key(issued.key),
            created_at=datetime.now(UTC),
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="api_key.issue",
        entity="filer",
        entity_id=filer.code,
        after={"prefix": issued.prefix},
    )
    return issued


def create_filer(
    connection: Connection, *, code: str, name: str, filer_type: FilerType, actor: str
) -> tuple[Filer, IssuedKey]:
    if connection.execute(select(filers.c.id).where(filers.c.code == code)).first():
        raise FilerError(f"a filer with code {code!r} exists already")
    filer_id = connection.execute(
        filers.insert()
        .values(code=code, name=name, filer_type=filer_type.value, created_at=datetime.now(UTC))
        .returning(filers.c.id)
    ).scalar_one()
    filer = Filer(filer_id, code, name, filer_type, True)
    audit.record(
        connection,
        actor=actor,
        action="filer.create",
        entity="filer",
        entity_id=code,
        after={"name": name, "filer_type": filer_type.value},
    )
    return filer, issue_key(connection, filer, actor=actor)


def revoke_keys(connection: Connection, filer: Filer, *, actor: str, prefix: str | None) -> int:
    """Revoke one key (by prefix) or, with no prefix, every active key of the filer."""
    query = update(api_keys).where(api_keys.c.filer_id == filer.id, api_keys.c.revoked_at.is_(None))
    if prefix is not None:
        query = query.where(api_keys.c.prefix == prefix)
    count = connection.execute(query.values(revoked_at=datetime.now(UTC))).rowcount
    if prefix is not None and count == 0:
        raise FilerError(f"filer {filer.code!r} has no active key with prefix {prefix!r}")
    audit.record(
        connection,
        actor=actor,
        action="api_key.revoke",
        entity="filer",
        entity_id=filer.code,
        after={"prefix": prefix, "revoked": count},
    )
    return count


def rotate_key(connection: Connection, filer: Filer, *, actor: str) -> IssuedKey:
    """A new key; every older key of the filer stops working at once."""
    revoke_keys(connection, filer, actor=actor, prefix=None)
    return issue_key(connection, filer, actor=actor)


@dataclass(frozen=True)
class KeyInfo:
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def list_keys(connection: Connection, filer: Filer) -> list[KeyInfo]:
    rows = connection.execute(
        select(api_keys.c.prefix, api_keys.c.created_at, api_keys.c.revoked_at)
        .where(api_keys.c.filer_id == filer.id)
        .order_by(api_keys.c.id)
    )
    return [KeyInfo(r.prefix, r.created_at, r.revoked_at) for r in rows]


def authenticate(connection: Connection, key: str) -> Filer | None:
    """The active filer holding this active key, or None."""
    row = connection.execute(
        select(filers)
        .join(api_keys, api_keys.c.filer_id == filers.c.id)
        .where(
            api_keys.c.key_hash == hash_key(key),
            api_keys.c.revoked_at.is_(None),
            filers.c.active.is_(True),
        )
    ).one_or_none()
    return None if row is None else _filer(row)
