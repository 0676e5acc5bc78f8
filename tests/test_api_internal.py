"""The internal API: user tokens, roles on every route, rule sets and decisions."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType, Role
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, users_repo
from tests.samples import shipment

RULES = """\
name: team
version: 1
rules:
  - id: gifts
    description: Gift
    owner: ana
    rationale: test
    weight: 0.5
    lane: scan
    when: {feature: gift_claimed, eq: true}
"""


@pytest.fixture
def tokens(store: Engine) -> dict[str, str]:
    out = {}
    with store.begin() as connection:
        for name, role in (("ana", Role.ANALYST), ("olga", Role.OFFICER)):
            user = users_repo.create_user(
                connection, username=name, display_name=name, roles={role}, actor="t"
            )
            out[name] = users_repo.issue_token(connection, user, actor="t").key
        _, issued = filers_repo.create_filer(
            connection, code="F", name="F", filer_type=FilerType.BROKER, actor="t"
        )
        out["filer"] = issued.key
    return out


@pytest.fixture
def client(store: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_key_cache_seconds=0), engine=store)) as test_client:
        yield test_client


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_and_roles_are_checked(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/internal/v1/rulesets").status_code == 401
    assert client.get("/internal/v1/rulesets", headers=_as(tokens["filer"])).status_code == 401
    assert client.get("/internal/v1/rulesets", headers=_as(tokens["olga"])).status_code == 200
    refused = client.post("/internal/v1/rulesets", content=RULES, headers=_as(tokens["olga"]))
    assert refused.status_code == 403
    assert "analyst" in refused.json()["detail"]
    # and the other way round: a user token is no filer key
    assert client.get("/api/v1/shipments", headers=_as(tokens["ana"])).status_code == 401


def test_an_analyst_publishes_shadows_promotes_and_backtests(
    client: TestClient, tokens: dict[str, str]
) -> None:
    yaml = {**_as(tokens["ana"]), "Content-Type": "application/yaml"}
    analyst = _as(tokens["ana"])
    bad = client.post(
        "/internal/v1/rulesets", content=RULES.replace("weight: 0.5", "weight: 5"), headers=yaml
    )
    assert bad.status_code == 422
    assert "line 8, field rules.0.weight" in bad.json()["detail"]
    published = client.post("/internal/v1/rulesets", content=RULES, headers=yaml)
    assert published.status_code == 201
    assert published.json()["status"] == "draft"
    assert client.get("/internal/v1/rulesets/team@1", headers=analyst).json()["source"] == RULES
    shadow = client.post(
        "/internal/v1/rulesets/team@1/status", json={"status": "shadow"}, headers=analyst
    )
    assert shadow.json()["status"] == "shadow"
    gift = shipment("G1")
    assert (
        client.post("/api/v1/shipments", json=gift, headers=_as(tokens["filer"])).status_code == 201
    )
    promoted = client.post(
        "/internal/v1/rulesets/team@1/status", json={"status": "live"}, headers=analyst
    )
    assert promoted.json()["status"] == "live"
    labels = {
        r["label"]: r["status"] for r in client.get("/internal/v1/rulesets", headers=analyst).json()
    }
    assert labels == {"default@1": "retired", "team@1": "live"}
    report = client.post("/internal/v1/rulesets/team@1/backtest", headers=analyst).json()
    assert report["shipments"] == 1
    assert report["rules"][0]["rule"] == "gifts"


def test_decisions_are_explained_to_officers(client: TestClient, tokens: dict[str, str]) -> None:
    assert (
        client.post(
            "/api/v1/shipments", json=shipment("D1"), headers=_as(tokens["filer"])
        ).status_code
        == 201
    )
    explained = client.get("/internal/v1/decisions/1", headers=_as(tokens["olga"])).json()
    assert explained["reproduced"] is True
    assert explained["decision"]["versions"]["ruleset"] == "default@1"
    assert "declared_value" in explained["features"]
    assert client.get("/internal/v1/decisions/999", headers=_as(tokens["olga"])).status_code == 404


def test_out_of_range_ids_and_labels_are_client_errors(
    client: TestClient, tokens: dict[str, str]
) -> None:
    reader = _as(tokens["olga"])
    assert (
        client.get("/internal/v1/decisions/99999999999999999999", headers=reader).status_code == 422
    )
    assert (
        client.get("/internal/v1/rulesets/default@99999999999999999999", headers=reader).status_code
        == 422
    )
