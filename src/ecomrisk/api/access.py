"""Who may call each route, read from the route itself.

Every route declares its rule through its dependencies: ``CurrentFiler`` (a
filer's API key; the filer sees only its own data), ``require(roles)`` (a user
token holding one of the roles), ``current_user`` (any user token) or
``PUBLIC`` (anyone, on purpose). ``rule_of`` reads it back; the authorization
matrix test calls every route as every kind of caller and fails on a route
that declares nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Depends
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute


async def public() -> None:
    """Marks a route as open to anyone, deliberately."""


PUBLIC: Any = Depends(public)


@dataclass(frozen=True)
class Rule:
    kind: Literal["public", "filer", "user", "roles"]
    roles: frozenset[str] = frozenset()


def _calls(dependant: Dependant) -> list[Any]:
    found = []
    for sub in dependant.dependencies:
        found.append(sub.call)
        found += _calls(sub)
    return found


def api_routes(routes: Sequence[BaseRoute]) -> list[RouteContext]:
    """Every API route with its full path (``/api/v1/shipments``), through included
    routers: ``app.routes`` lists the routers, not their routes."""
    return [c for c in iter_route_contexts(routes) if isinstance(c.original_route, APIRoute)]


def rule_of(route: APIRoute | RouteContext) -> Rule | None:
    """The route's declared rule, or None when it declares none."""
    from ecomrisk.api.deps import current_filer
    from ecomrisk.api.internal.auth import current_user

    calls = _calls(route.dependant)  # a RouteContext passes this on to its route
    for call in calls:
        roles = getattr(call, "roles", None)
        if roles is not None:
            return Rule("roles", frozenset(str(r) for r in roles))
    if current_filer in calls:
        return Rule("filer")
    if current_user in calls:
        return Rule("user")
    if public in calls:
        return Rule("public")
    return None
