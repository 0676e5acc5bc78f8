"""A store with shipments arriving at one facility on one customs day, filed and
decided through the filer API, and the users who work with them."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType, Role
from ecomrisk.risk import rulesets_repo
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, users_repo
from tests.samples import shipment

RULES = """\
name: targeting-test
version: 1
rules:
  - id: gift-hold
    description: Gifts are held
    owner: t
    rationale: test
    weight: 0.9
    lane: hold
    when: {feature: gift_claimed, eq: true}
  - id: dear
    description: Dear goods are scanned
    owner: t
    rationale: test
    weight: 0.4
    lane: scan
    suspected: [counterfeit]
    when: {feature: declared_value, gt: 100}
"""
OFFSET_HOURS = -5  # US-2019's customs day


@dataclass
class World:
    engine: Engine
    client: TestClient
    tokens: dict[str, str]
    day: date
    url: str


def store_url(engine: Engine) -> str:
    """A URL the CLI can open on the same database (and schema) as ``engine``."""
    if engine.dialect.name == "sqlite":
        return str(engine.url)
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
    return engine.url.render_as_string(hide_password=False) + f"?options=-csearch_path%3D{schema}"


def as_user(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    url = store_url(store)
    monkeypatch.setenv("ECOMRISK_DATABASE_URL", url)
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path))
    tokens = {}
    with store.begin() as connection:
        for name, role in (("ada", Role.ADMINISTRATOR), ("olga", Role.OFFICER)):
            user = users_repo.create_user(
                connection, username=name, display_name=name, roles={role}, actor="t"
            )
            tokens[name] = users_repo.issue_token(connection, user, actor="t").key
        for code in ("F", "T"):
            _, issued = filers_repo.create_filer(
                connection, code=code, name=code, filer_type=FilerType.BROKER, actor="t"
            )
            tokens[code] = issued.key
        rulesets_repo.publish(connection, RULES, "t")
        rulesets_repo.set_status(connection, "targeting-test@1", "live", "t")
    day = (datetime.now(UTC) + timedelta(hours=OFFSET_HOURS)).date() + timedelta(days=2)
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) - timedelta(hours=OFFSET_HOURS)
    with TestClient(create_app(Settings(api_key_cache_seconds=0), engine=store)) as client:
        filings = []
        for i in range(3):  # held gifts
            filings.append(("F", shipment(f"G{i}", postal_category="gift")))
        for i in range(8):  # dear goods, scanned
            item = {**shipment()["items"][0], "value": f"{150 + i}.00"}
            filings.append(("F", shipment(f"D{i}", items=[item])))
        for i in range(12):  # plain, half of them from a trusted filer
            filings.append(("T" if i % 2 else "F", shipment(f"P{i}")))
        filings.append(("F", shipment("ELSEWHERE", port_of_arrival="USLAX")))
        for filer, body in filings:
            body["estimated_arrival"] = noon.isoformat()
            response = client.post("/api/v1/shipments", json=body, headers=as_user(tokens[filer]))
            assert response.status_code == 201, json.dumps(response.json())
        yield World(store, client, tokens, day, url)
