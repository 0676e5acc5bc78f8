"""Who is calling the internal API, and whether their roles allow the route."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep
from ecomrisk.domain.enums import Role
from ecomrisk.store.users_repo import User, authenticate_token

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <user token>")


async def current_user(
    engine: EngineDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> User:
    token = bearer.credentials.strip() if bearer is not None else ""
    if not token:
        raise HTTPException(401, "missing user token: send 'Authorization: Bearer TOKEN'")

    def lookup() -> User | None:
        with engine.connect() as connection:
            return authenticate_token(connection, token)

    user = await run_in_threadpool(lookup)
    if user is None:
        raise HTTPException(401, "invalid or revoked user token")
    return user


def require(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency that lets through users holding any of ``roles``."""
    allowed = frozenset(roles)

    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        if not user.has_any(allowed):
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(403, f"this needs one of the roles: {names}")
        return user

    check.roles = allowed  # type: ignore[attr-defined]  # read by api.access.rule_of
    return check


Analyst = Annotated[User, Depends(require(Role.ANALYST))]
Reader = Annotated[
    User, Depends(require(Role.ANALYST, Role.OFFICER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER))
]
