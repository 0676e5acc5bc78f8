"""A filing accepted by the API is decided in the same request; filers never see the score."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType
from ecomrisk.risk.explain import explain
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo
from ecomrisk.store.schema import decisions, feature_events, shipments
from tests.samples import shipment

V1 = "/api/v1"


@pytest.fixture
def client(store: Engine) -> Iterator[TestClient]:
    with store.begin() as connection:
        _, issued = filers_repo.create_filer(
            connection, code="ACME", name="Acme", filer_type=FilerType.MARKETPLACE, actor="t"
        )
    with TestClient(create_app(Settings(api_key_cache_seconds=0), engine=store)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {issued.key}"
        yield test_client


def _decisions(store: Engine) -> list[tuple[str, int, str]]:
    with store.connect() as connection:
        rows = connection.execute(
            select(shipments.c.filer_reference, shipments.c.version, decisions.c.lane)
            .join(decisions, decisions.c.shipment_id == shipments.c.id)
            .where(decisions.c.kind == "live")
            .order_by(decisions.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_each_accepted_version_is_decided_once(client: TestClient, store: Engine) -> None:
    body = shipment("A")
    first = client.post(f"{V1}/shipments", json=body)
    assert first.status_code == 201
    assert set(first.json()) >= {"filer_reference", "version", "quality_score"}
    assert not {"score", "lane", "reasons", "risk"} & set(first.json())  # risk stays internal
    assert client.post(f"{V1}/shipments", json=body).status_code == 200  # replay
    vague = {**body, "items": [dict(body["items"][0])]}
    vague["items"][0]["description"] = "gift"
    assert client.put(f"{V1}/shipments/A", json=vague).status_code == 201
    assert [(ref, version) for ref, version, _ in _decisions(store)] == [("A", 1), ("A", 2)]
    assert _decisions(store)[1][2] == "document_review"  # the vague-description rule
    with store.connect() as connection:
        decision_id = connection.execute(
            select(decisions.c.id).order_by(decisions.c.id.desc())
        ).scalar()
        assert explain(connection, decision_id).reproduced


def test_batch_and_cancel_keep_the_event_log(client: TestClient, store: Engine) -> None:
    batch = client.post(
        f"{V1}/shipments/batch", json={"shipments": [shipment("B1"), shipment("B2")]}
    )
    assert batch.json()["accepted"] == 2
    assert client.post(f"{V1}/shipments/B1/cancel").status_code == 201
    assert len(_decisions(store)) == 2  # a cancellation is not decided
    with store.connect() as connection:
        statuses = connection.execute(
            select(feature_events.c.status, feature_events.c.superseded_sid).order_by(
                feature_events.c.sid
            )
        ).all()
    assert [s.status for s in statuses] == ["active", "active", "cancelled"]
    assert statuses[0].superseded_sid is not None  # B1's first version closed by the cancel


AGENCY_LIST = (
    b"name,aliases,address,country,reason\nShenzhen Trading Company Limited,,,CN,counterfeit ring\n"
)


def test_a_watch_list_match_holds_the_shipment_and_says_why(
    client: TestClient, store: Engine
) -> None:
    from ecomrisk.risk.screening import repo as screening_repo
    from ecomrisk.risk.screening.lists import parse_list

    with store.begin() as connection:
        parsed = parse_list("agency", AGENCY_LIST, "agency.csv")
        screening_repo.import_list(connection, "agency", parsed, "agency.csv", "analyst")
    assert client.post(f"{V1}/shipments", json=shipment("W")).status_code == 201
    with store.connect() as connection:
        row = connection.execute(select(decisions).where(decisions.c.kind == "live")).one()
        result = explain(connection, row.id)
    assert row.lane == "hold"
    assert row.features["screening_max_score"] >= 0.95
    assert row.versions["lists"] == "agency@1"
    screening = [r for r in row.reasons if r["kind"] == "screening"]
    assert (
        "shipper 'Shenzhen Trading Co.' matches 'Shenzhen Trading Company Limited'"
        in screening[0]["text"]
    )
    assert result.reproduced

    from ecomrisk.risk.context import feature_context
    from ecomrisk.risk.rescore import rescore
    from ecomrisk.settings import Settings

    assert rescore(store, feature_context(store, Settings())) == 1
    with store.connect() as connection:
        lanes = connection.execute(
            select(decisions.c.lane, decisions.c.reasons).order_by(decisions.c.id)
        ).all()
    assert lanes[0] == lanes[1]  # batch rescoring gives the same lane and reasons
