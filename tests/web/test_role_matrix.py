"""Every app route declares who may use it, and enforces it: a matrix generated from
the route table (route × role × anonymous), so a new route without a rule fails here."""

import re
from collections.abc import Callable

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ecomrisk.domain.enums import Role
from ecomrisk.web import page_routers
from ecomrisk.web.auth import PREFIX, RoleRule
from tests.web.conftest import Web

# Values for path parameters: real enough to reach the role check, which comes first.
PATH_VALUES = {
    "sid": "1",
    "case_id": "1",
    "finding_id": "1",
    "recordation_id": "1",
    "label": "default@1",
    "username": "nobody",
    "network_id": "1",
    "plot": "calibration",
    "reference": "TP-000001",  # programme; the triage pattern refuses it (422) after the role check
    "file_id": "1",
    "name": "exam_rate",
}


def _rule(route: APIRoute) -> RoleRule | None:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        rule = getattr(dependency.call, "role_rule", None)
        if isinstance(rule, RoleRule):
            return rule
        pending.extend(dependency.dependencies)
    return None


def _app_routes() -> list[tuple[str, str, RoleRule | None]]:
    found = []
    for router in page_routers():  # exactly what web.install mounts under /app
        for route in router.routes:
            assert isinstance(route, APIRoute), f"{route}: not a page route"
            path = PREFIX + re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], route.path)
            for method in sorted(route.methods):
                found.append((method, path, _rule(route)))
    # Signing out ends the client's session: keep it for last.
    return sorted(found, key=lambda r: r[1] == f"{PREFIX}/sign-out")


def test_every_route_has_a_role_rule() -> None:
    routes = _app_routes()
    assert len(routes) > 20
    missing = [f"{method} {path}" for method, path, rule in routes if rule is None]
    assert missing == [], "routes without allow(...) or public()"


def test_route_role_matrix(web: Web, as_role: Callable[[Role], tuple[TestClient, str]]) -> None:
    routes = _app_routes()
    anonymous = web.new_client()
    problems = []
    for method, path, rule in routes:
        assert rule is not None
        response = anonymous.request(method, path, follow_redirects=False)
        if rule.public:
            if response.status_code >= 500 or response.status_code in (401, 403):
                problems.append(f"anonymous {method} {path}: {response.status_code}")
        elif response.status_code != 303 or "/app/sign-in" not in response.headers["location"]:
            problems.append(f"anonymous {method} {path}: {response.status_code}, not sign-in")
    for role in Role:
        client, token = as_role(role)
        for method, path, rule in routes:
            assert rule is not None
            headers = {"X-CSRF-Token": token} if method == "POST" else {}
            response = client.request(method, path, headers=headers, follow_redirects=False)
            allowed = rule.public or role in rule.roles
            if allowed and response.status_code in (401, 403):
                problems.append(f"{role} {method} {path}: refused ({response.status_code})")
            if allowed and response.status_code >= 500:
                problems.append(f"{role} {method} {path}: server error")
            if not allowed and response.status_code != 403:
                problems.append(f"{role} {method} {path}: {response.status_code}, not 403")
    assert problems == []
