"""People who use ecomrisk (officers, analysts, ...), their roles and API tokens.

Tokens look like ``eu_<prefix>_<secret>``; only their sha256 is stored. Web
sign-in uses passwords (Argon2id hashes, ``passwords.py``) and server-side
sessions (``sessions_repo.py``).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select, update

from ecomrisk import audit
from ecomrisk.domain.enums import Role
from ecomrisk.store import passwords
from ecomrisk.store.filers_repo import IssuedKey, hash_key
from ecomrisk.store.schema import user_roles, user_tokens, users

TOKEN_SCHEME = "eu"


class UserError(ValueError):
    """A user operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    roles: frozenset[Role]

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


def _roles(connection: Connection, user_id: int) -> frozenset[Role]:
    rows = connection.execute(select(user_roles.c.role).where(user_roles.c.user_id == user_id))
    return frozenset(Role(r.role) for r in rows)


def get_user(connection: Connection, username: str) -> User:
    row = connection.execute(select(users).where(users.c.username == username)).one_or_none()
    if row is None:
        raise UserError(f"no user {username!r}")
    return User(row.id, row.username, row.display_name, _roles(connection, row.id))


def create_user(
    connection: Connection, *, username: str, display_name: str, roles: set[Role], actor: str
) -> User:
    if not roles:
        raise UserError("a user needs at least one role")
    if connection.execute(select(users.c.id).where(users.c.username == username)).first():
        raise UserError(f"a user {username!r} exists already")
    user_id = connection.execute(
        users.insert()
        .values(username=username, display_name=display_name, created_at=datetime.now(UTC))
        .returning(users.c.id)
    ).scalar_one()
    connection.execute(
        user_roles.insert(), [{"user_id": user_id, "role": r.value} for r in sorted(roles)]
    )
    audit.record(
        connection,
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=username,
        after={"display_name": display_name, "roles": sorted(r.value for r in roles)},
    )
    return User(user_id, username, display_name, frozenset(roles))


def issue_token(connection: Connection, user: User, *, actor: str) -> IssuedKey:
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    connection.execute(
        user_tokens.insert().values(
            user_id=user.id, prefix=prefix, token_hash=hash_key(token), created_at=datetime.now(UTC)
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="user.token",
        entity="user",
        entity_id=user.username,
        after={"prefix": prefix},
    )
    return IssuedKey(token, prefix)


def authenticate_token(connection: Connection, token: str) -> User | None:
    row = connection.execute(
        select(users.c.id, users.c.username, users.c.display_name)
        .join(user_tokens, user_tokens.c.user_id == users.c.id)
        .where(
            user_tokens.c.token_hash == hash_key(token),
            user_tokens.c.revoked_at.is_(None),
            users.c.active,
        )
    ).one_or_none()
    if row is None:
        return None
    return User(row.id, row.username, row.display_name, _roles(connection, row.id))


def get_user_by_id(connection: Connection, user_id: int) -> User | None:
    row = connection.execute(
        select(users).where(users.c.id == user_id, users.c.active)
    ).one_or_none()
    if row is None:
        return None
    return User(row.id, row.username, row.display_name, _roles(connection, row.id))


@dataclass(frozen=True)
class Account:
    """A user as the administration page lists it."""

    user: User
    active: bool
    has_password: bool
    created_at: datetime


def list_accounts(connection: Connection, *, limit: int = 200, offset: int = 0) -> list[Account]:
    rows = connection.execute(
        select(users).order_by(users.c.username).limit(min(limit, 500)).offset(offset)
    ).all()
    return [
        Account(
            User(r.id, r.username, r.display_name, _roles(connection, r.id)),
            bool(r.active),
            r.password_hash is not None,
            r.created_at,
        )
        for r in rows
    ]


def set_password(connection: Connection, username: str, password: str, *, actor: str) -> None:
    """Set a user's password (Argon2id hash); the password itself is never kept or logged."""
    user = get_user(connection, username)
    try:
        hashed = passwords.hash_password(password)
    except passwords.PasswordError as error:
        raise UserError(str(error)) from None
    connection.execute(update(users).where(users.c.id == user.id).values(password_hash=hashed))
    audit.record(connection, actor=actor, action="user.password", entity="user", entity_id=username)


def set_roles(connection: Connection, username: str, roles: set[Role], *, actor: str) -> User:
    if not roles:
        raise UserError("roles: a user needs at least one role")
    user = get_user(connection, username)
    connection.execute(delete(user_roles).where(user_roles.c.user_id == user.id))
    connection.execute(
        user_roles.insert(), [{"user_id": user.id, "role": r.value} for r in sorted(roles)]
    )
    audit.record(
        connection,
        actor=actor,
        action="user.roles",
        entity="user",
        entity_id=username,
        before={"roles": sorted(r.value for r in user.roles)},
        after={"roles": sorted(r.value for r in roles)},
    )
    return User(user.id, user.username, user.display_name, frozenset(roles))


def set_active(connection: Connection, username: str, active: bool, *, actor: str) -> None:
    """Activate or deactivate a user; deactivating ends their sessions and tokens' use."""
    row = connection.execute(
        select(users.c.id, users.c.active).where(users.c.username == username)
    ).one_or_none()
    if row is None:
        raise UserError(f"no user {username!r}")
    connection.execute(update(users).where(users.c.id == row.id).values(active=active))
    audit.record(
        connection,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        entity="user",
        entity_id=username,
        before={"active": bool(row.active)},
        after={"active": active},
    )


def password_hash(connection: Connection, username: str) -> tuple[int, str | None] | None:
    """The id and stored hash of an active user, or None."""
    row = connection.execute(
        select(users.c.id, users.c.password_hash).where(
            users.c.username == username, users.c.active
        )
    ).one_or_none()
    return None if row is None else (int(row.id), row.password_hash)
