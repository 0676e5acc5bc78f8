"""The public portal under ``/portal``: no sign-in, apart from the app's routes and
cookies. Requests reach it without any Cookie header and responses leave without
Set-Cookie (``PortalIsolationMiddleware``), so no ``/app`` session is ever seen or
made here; its forms carry a signed, timed token instead of a session's CSRF token.
"""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecomrisk.web.auth import RoleRule
from ecomrisk.web.security import HEADERS

PORTAL_PREFIX = "/portal"


def visitor() -> Callable[[], Awaitable[None]]:
    """The rule of every portal route: anyone, and nobody is signed in."""

    async def dependency() -> None:
        return None

    dependency.role_rule = RoleRule(frozenset(), public=True)  # type: ignore[attr-defined]
    return dependency


def in_portal(path: str) -> bool:
    return path == PORTAL_PREFIX or path.startswith(PORTAL_PREFIX + "/")


class PortalIsolationMiddleware:
    """Pure ASGI: on /portal, drop the request's cookies, drop any Set-Cookie of the
    response, add the app's security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not in_portal(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [h for h in scope["headers"] if h[0] != b"cookie"]}
        static = scope["path"].startswith(PORTAL_PREFIX + "/static/")

        async def isolated(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() != b"set-cookie"]
                extra = [h for h in HEADERS if not (static and h[0] == b"cache-control")]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, isolated)


def portal_routers() -> list[APIRouter]:
    """Every router of the portal, as mounted (the portal's matrix test walks them)."""
    from ecomrisk.web.portal import guidance, report, search

    return [search.router, report.router, guidance.router]


def install(app: FastAPI, static: str) -> None:
    portal = APIRouter(prefix=PORTAL_PREFIX, include_in_schema=False)
    for router in portal_routers():
        portal.include_router(router)
    app.include_router(portal)
    app.mount(f"{PORTAL_PREFIX}/static", StaticFiles(directory=static), name="portal-static")
    app.add_middleware(PortalIsolationMiddleware)
