"""The network explorer as its users reach it: the internal API over HTTP with user
tokens and roles, and the ``ecomrisk network`` commands on a store."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from ecomrisk.api import create_app
from ecomrisk.cli import app
from ecomrisk.domain.enums import Role
from ecomrisk.risk.network.build import build
from ecomrisk.risk.network.resolve import resolve
from ecomrisk.settings import Settings
from ecomrisk.store import users_repo
from ecomrisk.store.schema import audit_log, entity_confirmations, networks, parties
from tests.network.conftest import FileWorld, history

runner = CliRunner()


@pytest.fixture
def built(sqlite_engine: Engine, file_world_sqlite: FileWorld, world: Path) -> Engine:
    store, file_world = sqlite_engine, file_world_sqlite
    file_world(0.0, 0.4)
    history(store, world)
    resolve(store)
    build(store)
    return store


@pytest.fixture
def client(built: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), engine=built)) as test_client:
        yield test_client


def _token(store: Engine, name: str, role: Role) -> dict[str, str]:
    with store.begin() as connection:
        user = users_repo.create_user(
            connection, username=name, display_name=name, roles={role}, actor="t"
        )
        return {
            "Authorization": f"Bearer {users_repo.issue_token(connection, user, actor='t').key}"
        }


@pytest.mark.slow
def test_explorer_routes(built: Engine, client: TestClient) -> None:
    analyst = _token(built, "ana", Role.ANALYST)
    officer = _token(built, "olga", Role.OFFICER)
    assert client.get("/internal/v1/network/networks").status_code == 401
    assert client.get("/internal/v1/network/networks", headers=officer).status_code == 403

    listed = client.get("/internal/v1/network/networks", params={"limit": 5}, headers=analyst)
    assert listed.status_code == 200
    rows = listed.json()
    assert 0 < len(rows) <= 5
    assert [r["risk"] for r in rows] == sorted((r["risk"] for r in rows), reverse=True)

    shown = client.get(f"/internal/v1/network/networks/{rows[0]['id']}", headers=analyst).json()
    assert shown["entities"] == rows[0]["entities"]
    assert {"members", "linked_shipments", "linked_findings", "evidence"} <= set(shown)
    entity = next(m["node"] for m in shown["members"] if m["kind"] == "entity")

    node = client.get(f"/internal/v1/network/nodes/{entity}", headers=analyst).json()
    assert node["network"] == rows[0]["id"]
    for neighbour in node["neighbours"]:
        assert neighbour["count"] >= 1
        assert neighbour["first_seen"] <= neighbour["last_seen"]
    phone = next((n["node"] for n in node["neighbours"] if n["kind"] == "phone"), None)
    if phone is not None:  # an identifier expands back to the entities filing it
        back = client.get(f"/internal/v1/network/nodes/{phone}", headers=analyst).json()
        assert entity in {n["node"] for n in back["neighbours"]}

    explained = client.get(f"/internal/v1/network/entities/{entity[7:]}", headers=analyst)
    assert explained.status_code == 200
    assert explained.json()["records"]

    with built.connect() as connection:
        a, b = connection.execute(select(parties.c.id).order_by(parties.c.id).limit(2)).scalars()
    link = client.get("/internal/v1/network/links", params={"a": a, "b": b}, headers=analyst)
    assert link.status_code == 200
    assert [f["field"] for f in link.json()["fields"]][:2] == ["name", "address"]

    assert client.get("/internal/v1/network/nodes/bogus:1", headers=analyst).status_code == 422
    missing = client.get("/internal/v1/network/nodes/entity:E999999999", headers=analyst)
    assert missing.status_code == 404
    assert "E999999999" in missing.json()["detail"]
    assert client.get("/internal/v1/network/networks/999999", headers=analyst).status_code == 404
    too_many = client.get(
        "/internal/v1/network/networks", params={"limit": 10_000}, headers=analyst
    )
    assert too_many.status_code == 422


@pytest.mark.slow
def test_commands(built: Engine, world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMRISK_DATABASE_URL", built.url.render_as_string(hide_password=False))
    listed = runner.invoke(app, ["network", "networks", "--limit", "3"])
    assert listed.exit_code == 0, listed.output
    with built.connect() as connection:
        top = connection.execute(select(networks.c.id).order_by(networks.c.risk.desc())).scalar()
        a, b = connection.execute(select(parties.c.id).order_by(parties.c.id).limit(2)).scalars()
    shown = runner.invoke(app, ["network", "show", f"N{top}"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["id"] == top
    assert runner.invoke(app, ["network", "show", "Nx"]).exit_code == 1
    assert runner.invoke(app, ["network", "expand", "planet:x"]).exit_code == 1
    assert runner.invoke(app, ["network", "link", str(a), str(b)]).exit_code == 0

    refused = runner.invoke(app, ["network", "confirm", str(a), str(a)])
    assert refused.exit_code == 1
    assert "party_b" in refused.output
    with built.connect() as connection:
        audited = len(connection.execute(select(audit_log.c.id)).all())
    assert runner.invoke(app, ["network", "confirm", str(a), str(b)]).exit_code == 0
    with built.connect() as connection:
        assert len(connection.execute(select(entity_confirmations)).all()) == 1
        assert len(connection.execute(select(audit_log.c.id)).all()) == audited + 1
    resolved = runner.invoke(app, ["network", "resolve"])  # re-estimated, labels included
    assert resolved.exit_code == 0, resolved.output
    with built.connect() as connection:
        first, second = connection.execute(
            select(parties.c.entity_id).where(parties.c.id.in_([a, b]))
        ).scalars()
    assert first == second  # a confirmed match is always linked

    built_again = runner.invoke(app, ["network", "build"])
    assert built_again.exit_code == 0, built_again.output
    evaluated = runner.invoke(app, ["network", "evaluate", str(world)])
    assert evaluated.exit_code == 0, evaluated.output
    assert runner.invoke(app, ["network", "evaluate", str(world / "nowhere")]).exit_code == 1
