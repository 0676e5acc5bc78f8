"""Who is signed in, and whether their roles allow the route; CSRF on every POST.

Every page of the app declares its rule with ``allow(...)`` (roles) or
``public()``; a test walks the route table and fails on a route with neither.
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.domain.enums import Role
from ecomrisk.settings import Settings
from ecomrisk.store import sessions_repo
from ecomrisk.store.sessions_repo import Session, SessionPolicy

PREFIX = "/app"
SESSION_COOKIE = "ecomrisk_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class NotSignedInError(Exception):
    """No live session: the error handler sends the browser to the sign-in page."""


def policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_hours),
        max_failures=settings.sign_in_max_failures,
        lockout=timedelta(minutes=settings.sign_in_lockout_minutes),
    )


def _lookup(engine: Engine, token: str, settings: Settings) -> Session | None:
    with engine.begin() as connection:
        return sessions_repo.lookup(connection, token, policy(settings))


async def session_of(request: Request, engine: Engine, settings: Settings) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 100:
        return None
    return await run_in_threadpool(_lookup, engine, token, settings)


async def check_csrf(request: Request, expected: str) -> None:
    """The session's token must come back in the header (HTMX) or the form field."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()  # Starlette caches it for the handler
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "the form's security token is missing or stale: reload the page")


@dataclass(frozen=True)
class RoleRule:
    """What a route admits: ``roles`` (any of them), or everyone when ``public``."""

    roles: frozenset[Role]
    public: bool = False


def allow(*roles: Role) -> Callable[..., Awaitable[Session]]:
    """A dependency admitting signed-in users holding any of ``roles``; POSTs must
    carry the session's CSRF token."""
    allowed = frozenset(roles)
    assert allowed, "name at least one role; use public() for pages without sign-in"

    async def dependency(request: Request, engine: EngineDep, settings: SettingsDep) -> Session:
        session = await session_of(request, engine, settings)
        if session is None:
            raise NotSignedInError()
        request.state.session = session
        if not session.user.has_any(allowed):
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(403, f"this page needs one of the roles: {names}")
        if request.method == "POST":
            await check_csrf(request, session.csrf_token)
        return session

    dependency.role_rule = RoleRule(allowed)  # type: ignore[attr-defined]
    return dependency


def public() -> Callable[..., Awaitable[Session | None]]:
    """A dependency for pages anyone may open (sign-in); gives the session if any."""

    async def dependency(
        request: Request, engine: EngineDep, settings: SettingsDep
    ) -> Session | None:
        session = await session_of(request, engine, settings)
        request.state.session = session
        return session

    dependency.role_rule = RoleRule(frozenset(), public=True)  # type: ignore[attr-defined]
    return dependency


def actor(session: Session) -> str:
    return f"user:{session.user.username}"


ALL_STAFF = tuple(Role)
OFFICERS = (Role.OFFICER, Role.SUPERVISOR)
READERS = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.PROGRAMME_MANAGER)
RULE_READERS = (Role.ANALYST, Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
AUDITORS = (Role.ADMINISTRATOR, Role.SUPERVISOR)

SignedIn = Annotated[Session, Depends(allow(*ALL_STAFF))]
Officer = Annotated[Session, Depends(allow(*OFFICERS))]
Reader = Annotated[Session, Depends(allow(*READERS))]
IprReader = Annotated[Session, Depends(allow(*READERS, Role.ADMINISTRATOR))]
Analyst = Annotated[Session, Depends(allow(Role.ANALYST))]
RuleReader = Annotated[Session, Depends(allow(*RULE_READERS))]
Auditor = Annotated[Session, Depends(allow(*AUDITORS))]
Administrator = Annotated[Session, Depends(allow(Role.ADMINISTRATOR))]
ProgrammeManager = Annotated[Session, Depends(allow(Role.PROGRAMME_MANAGER))]
Triager = Annotated[Session, Depends(allow(Role.ANALYST, Role.SUPERVISOR))]
Anyone = Annotated[Session | None, Depends(public())]
MEASURE_READERS = (Role.SUPERVISOR, Role.ANALYST, Role.PROGRAMME_MANAGER)
MeasureReader = Annotated[Session, Depends(allow(*MEASURE_READERS))]
