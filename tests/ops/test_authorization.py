"""The authorization matrix, generated from the route table: every /api/v1 and
/internal/v1 route (and the operations routes) called as every role, anonymous,
each kind of wrong credential and another filer. A route that declares no rule
(see ecomrisk.api.access) fails here, so a new route cannot slip through."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecomrisk.api import create_app
from ecomrisk.api.access import Rule, api_routes, rule_of
from ecomrisk.domain.enums import FilerType, Role
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, users_repo
from tests.samples import manifest, postal_item, shipment

GUARDED_PREFIXES = ("/api/v1", "/internal/v1")
OPERATIONS = ("/healthz", "/readyz", "/metrics")
DENIED = (401, 403)


@dataclass(frozen=True)
class Caller:
    name: str
    token: str | None
    filer: str | None = None  # filer code for API keys
    roles: frozenset[str] = frozenset()
    is_user: bool = False


@pytest.fixture
def callers(store: Engine) -> list[Caller]:
    out = [Caller("anonymous", None), Caller("made-up key", "ek_not_a_key_at_all_1234")]
    with store.begin() as connection:
        for code in ("OWNER", "OTHER"):
            _, issued = filers_repo.create_filer(
                connection, code=code, name=code, filer_type=FilerType.BROKER, actor="t"
            )
            out.append(Caller(f"filer {code}", issued.key, filer=code))
        for role in Role:
            user = users_repo.create_user(
                connection, username=role.value, display_name=role.value, roles={role}, actor="t"
            )
            key = users_repo.issue_token(connection, user, actor="t").key
            out.append(
                Caller(f"user {role.value}", key, roles=frozenset({role.value}), is_user=True)
            )
        out.append(Caller("made-up user token", "eu_not_a_token_at_all_1234"))
    return out


@pytest.fixture
def app(store: Engine) -> FastAPI:
    return create_app(Settings(api_key_cache_seconds=0), engine=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _routes(app: FastAPI) -> list[RouteContext]:
    return [
        r
        for r in api_routes(app.routes)
        if str(r.path).startswith(GUARDED_PREFIXES) or r.path in OPERATIONS
    ]


# The owner's own records, which the other filer must not reach.
OWNED = {
    "/api/v1/shipments": "OWN-S",
    "/api/v1/postal-items": "OWN-P",
    "/api/v1/manifests": "OWN-M",
}


def _url(route: RouteContext) -> str:
    reference = next((ref for prefix, ref in OWNED.items() if route.path.startswith(prefix)), "X")
    return (
        route.path.replace("{filer_reference:path}", reference)
        .replace("{label}", "default@1")
        .replace("{decision_id}", "1")
    )


def _body(route: RouteContext) -> dict[str, object] | None:
    """A valid body for the routes that take one, so the owner-only check is the answer."""
    if "{filer_reference" not in route.path or "PUT" not in route.methods:
        return None
    if route.path.startswith("/api/v1/postal-items"):
        return postal_item("OWN-P")
    if route.path.startswith("/api/v1/manifests"):
        return manifest("OWN-M")
    return shipment("OWN-S")


def _allowed(rule: Rule, caller: Caller) -> bool:
    if rule.kind == "public":
        return True
    if rule.kind == "filer":
        return caller.filer is not None
    if rule.kind == "user":
        return caller.is_user
    return bool(rule.roles & caller.roles)


def _denial(rule: Rule, caller: Caller) -> int:
    """403 for a known user lacking the role; 401 for anyone not even the right kind
    of caller (a user token on the filer API, a filer key on the internal one)."""
    return 403 if caller.is_user and rule.kind in ("roles", "user") else 401


def test_every_route_declares_a_rule(app: FastAPI) -> None:
    routes = _routes(app)
    assert len(routes) >= 20
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if rule_of(r) is None]
    assert missing == [], f"routes without an authorization rule: {missing}"
    for route in routes:
        rule = rule_of(route)
        assert rule is not None
        if route.path.startswith("/api/v1"):
            assert rule.kind == "filer", route.path  # the filer API is for filers only
        if route.path.startswith("/internal/v1"):
            assert rule.kind in ("roles", "user"), route.path  # people only


def test_a_route_without_a_rule_is_caught() -> None:
    """The check above is not vacuous: an unguarded route reads as None."""
    bare = FastAPI()

    @bare.get("/internal/v1/leak")
    def leak() -> dict[str, str]:
        return {}

    [route] = api_routes(bare.routes)
    assert isinstance(route.original_route, APIRoute)
    assert rule_of(route) is None


@pytest.mark.slow
def test_matrix(client: TestClient, app: FastAPI, callers: list[Caller]) -> None:
    by_name = {c.name: c for c in callers}
    owner = by_name["filer OWNER"]
    auth = {"Authorization": f"Bearer {owner.token}"}
    assert client.post("/api/v1/shipments", json=shipment("OWN-S"), headers=auth).status_code == 201
    assert (
        client.post("/api/v1/postal-items", json=postal_item("OWN-P"), headers=auth).status_code
        == 201
    )
    assert client.post("/api/v1/manifests", json=manifest("OWN-M"), headers=auth).status_code == 201
    cells = 0
    failures = []
    for route in _routes(app):
        rule = rule_of(route)
        assert rule is not None
        for method in sorted(route.methods):
            for caller in callers:
                headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
                response = client.request(method, _url(route), headers=headers, json=_body(route))
                cells += 1
                status = response.status_code
                where = f"{method} {route.path} as {caller.name}: {status}"
                if _allowed(rule, caller):
                    if status in DENIED:
                        failures.append(f"{where}, expected to be let through")
                    if (
                        caller.name == "filer OTHER"
                        and "{filer_reference" in route.path
                        and status != 404
                    ):
                        failures.append(f"{where}, expected 404: the owner's record is not theirs")
                elif status != _denial(rule, caller):
                    failures.append(f"{where}, expected {_denial(rule, caller)}")
    assert failures == []
    assert cells >= 20 * len(callers)
    # The other filer's listings do not show the owner's records either.
    other = {"Authorization": f"Bearer {by_name['filer OTHER'].token}"}
    assert client.get("/api/v1/shipments", headers=other).json()["items"] == []
    assert client.get("/api/v1/manifests", headers=other).json()["items"] == []
    assert client.get("/api/v1/shipments/OWN-S", headers=auth).status_code == 200
