"""The web app on a real store (SQLite and PostgreSQL), with filings sent through
the filer API and one signed-in client per role."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType, Role
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, users_repo
from ecomrisk.store.schema import shipments
from tests.samples import shipment

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Web:
    engine: Engine
    settings: Settings
    filer: TestClient  # the filer API, with an API key
    clients: dict[str, TestClient]  # signed in, by username

    created: set[Role] = field(default_factory=set)

    def user(self, role: Role) -> str:
        """The username of the test user with ``role``, created on first use (Argon2
        hashing takes a while on a loaded machine, so only the users a test needs)."""
        if role not in self.created:
            add_user(self.engine, ROLE_USERS[role], role)
            self.created.add(role)
        return ROLE_USERS[role]

    def new_client(self) -> TestClient:
        client = TestClient(create_app(self.settings, engine=self.engine))
        self.clients[f"anon{len(self.clients)}"] = client
        return client

    def sid(self, reference: str) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(shipments.c.id).where(
                        shipments.c.filer_reference == reference, shipments.c.is_current
                    )
                ).scalar_one()
            )


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form, as a browser does; returns the session's CSRF token."""
    page = client.get("/app/sign-in")
    response = client.post(
        "/app/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/app/").text)


def add_user(engine: Engine, username: str, *roles: Role, password: str = PASSWORD) -> None:
    with engine.begin() as connection:
        users_repo.create_user(
            connection,
            username=username,
            display_name=username.title(),
            roles=set(roles),
            actor="test",
        )
        users_repo.set_password(connection, username, password, actor="test")


ROLE_USERS = {role: f"u-{role.value}" for role in Role}


@pytest.fixture
def web(store: Engine) -> Iterator[Web]:
    # Keys, rule sets and models checked on every request: a test acts at once.
    settings = Settings(api_key_cache_seconds=0, decision_refresh_seconds=0)
    with store.begin() as connection:
        _, key = filers_repo.create_filer(
            connection, code="ACME", name="Acme", filer_type=FilerType.MARKETPLACE, actor="t"
        )
    filer = TestClient(create_app(settings, engine=store))
    filer.headers["Authorization"] = f"Bearer {key.key}"
    world = Web(store, settings, filer, {})
    yield world
    for client in [filer, *world.clients.values()]:
        client.close()


@pytest.fixture
def as_role(web: Web) -> Callable[[Role], tuple[TestClient, str]]:
    """A client signed in with the one role, and its CSRF token."""
    cache: dict[Role, tuple[TestClient, str]] = {}

    def get(role: Role) -> tuple[TestClient, str]:
        if role not in cache:
            client = web.new_client()
            cache[role] = (client, sign_in(client, web.user(role)))
        return cache[role]

    return get


def file(web: Web, reference: str, **overrides: object) -> int:
    """File a shipment through the filer API; returns its current version id."""
    response = web.filer.post("/api/v1/shipments", json=shipment(reference, **overrides))
    assert response.status_code in (200, 201), response.text
    return web.sid(reference)


def vague(reference: str, port: str = "USJFK", brand: str | None = None) -> dict[str, object]:
    """A filing the default rules send to document review (a vague description)."""
    body = shipment(reference, port_of_arrival=port)
    body["items"][0]["description"] = "gift"
    if brand:
        body["items"][0]["brand"] = brand
    return body


def file_vague(web: Web, reference: str, port: str = "USJFK", brand: str | None = None) -> int:
    response = web.filer.post("/api/v1/shipments", json=vague(reference, port, brand))
    assert response.status_code == 201, response.text
    return web.sid(reference)
