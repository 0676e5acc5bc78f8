"""People who use ecomrisk (officers, analysts, ...), their roles and API tokens.

Tokens look like ``eu_<prefix>_<secret>``; only their sha256 is stored. Web
sign-in with passwords comes with the web application.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from ecomrisk import audit
from ecomrisk.domain.enums import Role
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
