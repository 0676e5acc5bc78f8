"""Web sessions of people: sign-in with lock-out, look-up with expiry, sign-out.

The cookie carries a random token; the store keeps only its sha256, the user,
the session's CSRF token and its times. A session ends when signed out, when
idle longer than ``idle``, or at ``expires_at`` whatever the activity.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select, update

from ecomrisk import audit
from ecomrisk.store import passwords
from ecomrisk.store.schema import sign_in_attempts, web_sessions
from ecomrisk.store.users_repo import User, get_user_by_id, password_hash

# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    lifetime: timedelta
    max_failures: int
    lockout: timedelta


@dataclass(frozen=True)
class Session:
    id: str
    user: User
    csrf_token: str
    expires_at: datetime


class SignInError(ValueError):
    """Sign-in refused; the message is safe to show (it never says which part was wrong)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failures_since_success(
    connection: Connection, username: str, since: datetime
) -> list[datetime]:
    last_success = connection.execute(
        select(func.max(sign_in_attempts.c.at)).where(
            sign_in_attempts.c.username == username, sign_in_attempts.c.succeeded
        )
    ).scalar()
    start = max(since, last_success) if last_success else since
    return list(
        connection.execute(
            select(sign_in_attempts.c.at).where(
                sign_in_attempts.c.username == username,
                sign_in_attempts.c.at > start,
                ~sign_in_attempts.c.succeeded,
            )
        ).scalars()
    )


def sign_in(
    connection: Connection,
    username: str,
    password: str,
    policy: SessionPolicy,
    now: datetime | None = None,
) -> tuple[str, Session]:
    """Check the password and open a session: (cookie token, session). Every attempt
    is recorded; too many failures lock the username for ``policy.lockout``. A refused
    attempt raises SignInError after writing its row: the caller commits it anyway."""
    now = now or datetime.now(UTC)
    username = username.strip()[:100]
    window_start = now - policy.lockout * 2
    failures = _failures_since_success(connection, username, window_start)
    until = passwords.locked_until(
        failures, max_failures=policy.max_failures, window=policy.lockout
    )
    if until is not None and until > now:
        # Refused without checking the password: guessing goes on counting nothing.
        raise SignInError(
            f"too many failed sign-ins: try again after {until:%H:%M} UTC or ask an administrator"
        )
    found = password_hash(connection, username)
    ok = passwords.verify(found[1] if found else passwords.DUMMY_HASH, password)
    ok = ok and found is not None
    connection.execute(sign_in_attempts.insert().values(username=username, at=now, succeeded=ok))
    if not ok or found is None:
        if len(failures) + 1 >= policy.max_failures:
            audit.record(
                connection,
                actor="anonymous",
                action="user.locked",
                entity="user",
                entity_id=username,
                at=now,
            )
        raise SignInError("unknown username or wrong password")
    user = get_user_by_id(connection, found[0])
    assert user is not None
    token = secrets.token_urlsafe(32)
    session = Session(_digest(token), user, secrets.token_urlsafe(32), now + policy.lifetime)
    connection.execute(
        web_sessions.insert().values(
            id=session.id,
            user_id=user.id,
            csrf_token=session.csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=session.expires_at,
        )
    )
    audit.record(
        connection,
        actor=f"user:{username}",
        action="session.start",
        entity="user",
        entity_id=username,
        at=now,
    )
    return token, session


def lookup(
    connection: Connection, token: str, policy: SessionPolicy, now: datetime | None = None
) -> Session | None:
    """The live session of a cookie token, touched; None when unknown, ended or expired."""
    now = now or datetime.now(UTC)
    row = connection.execute(
        select(web_sessions).where(web_sessions.c.id == _digest(token))
    ).one_or_none()
    if row is None or row.ended_at is not None:
        return None
    if row.expires_at <= now or row.last_seen_at + policy.idle <= now:
        return None
    user = get_user_by_id(connection, row.user_id)  # None once deactivated
    if user is None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        connection.execute(
            update(web_sessions).where(web_sessions.c.id == row.id).values(last_seen_at=now)
        )
    return Session(row.id, user, row.csrf_token, row.expires_at)


def sign_out(connection: Connection, session: Session, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    connection.execute(
        update(web_sessions).where(web_sessions.c.id == session.id).values(ended_at=now)
    )
    audit.record(
        connection,
        actor=f"user:{session.user.username}",
        action="session.end",
        entity="user",
        entity_id=session.user.username,
        at=now,
    )
