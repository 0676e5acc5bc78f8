"""The filer API over HTTP (TestClient), on SQLite and PostgreSQL."""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo
from tests.samples import manifest, postal_item, shipment

V1 = "/api/v1"


@pytest.fixture
def keys(store: Engine) -> dict[str, str]:
    out = {}
    with store.begin() as connection:
        for code in ("ACME", "OTHER"):
            _, issued = filers_repo.create_filer(
                connection, code=code, name=code, filer_type=FilerType.MARKETPLACE, actor="t"
            )
            out[code] = issued.key
    return out


@pytest.fixture
def client(store: Engine, keys: dict[str, str]) -> Iterator[TestClient]:
    settings = Settings(
        max_batch_size=5, max_body_bytes=200_000, ingest_chunk_size=2, api_key_cache_seconds=0
    )
    with TestClient(create_app(settings, engine=store)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {keys['ACME']}"
        yield test_client


def test_requests_need_a_valid_key(client: TestClient, keys: dict[str, str]) -> None:
    anonymous = client.get(f"{V1}/shipments", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert "API key" in anonymous.json()["detail"]
    wrong = client.get(f"{V1}/shipments", headers={"Authorization": "Bearer ek_nope"})
    assert wrong.status_code == 401
    other = client.get(f"{V1}/shipments", headers={"Authorization": "", "X-API-Key": keys["OTHER"]})
    assert other.status_code == 200


def test_revoked_key_stops_working(client: TestClient, store: Engine) -> None:
    with store.begin() as connection:
        filer = filers_repo.get_filer(connection, "ACME")
        new = filers_repo.rotate_key(connection, filer, actor="t")
    assert client.get(f"{V1}/shipments").status_code == 401
    fresh = client.get(f"{V1}/shipments", headers={"Authorization": f"Bearer {new.key}"})
    assert fresh.status_code == 200


def test_submit_replay_conflict_amend_cancel(client: TestClient) -> None:
    body = shipment()
    first = client.post(f"{V1}/shipments", json=body)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["version"] == 1
    assert "risk" not in json.dumps(receipt)
    again = client.post(f"{V1}/shipments", json=body)
    assert again.status_code == 200
    assert again.json()["content_hash"] == receipt["content_hash"]
    assert again.json()["replayed"] is True
    changed = dict(body, port_of_arrival="USLAX")
    conflict = client.post(f"{V1}/shipments", json=changed)
    assert conflict.status_code == 409
    assert "amendment" in conflict.json()["detail"]
    amended = client.put(f"{V1}/shipments/REF-1", json=changed)
    assert amended.status_code == 201
    assert amended.json()["version"] == 2
    status = client.get(f"{V1}/shipments/REF-1").json()
    assert [v["version"] for v in status["versions"]] == [1, 2]
    assert status["filing"]["port_of_arrival"] == "USLAX"
    cancelled = client.post(f"{V1}/shipments/REF-1/cancel")
    assert cancelled.status_code == 201
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"{V1}/shipments/REF-1/cancel").status_code == 200


def test_a_filer_sees_only_its_own(client: TestClient, keys: dict[str, str]) -> None:
    client.post(f"{V1}/shipments", json=shipment())
    as_other = {"Authorization": f"Bearer {keys['OTHER']}"}
    assert client.get(f"{V1}/shipments/REF-1", headers=as_other).status_code == 404
    assert client.post(f"{V1}/shipments/REF-1/cancel", headers=as_other).status_code == 404
    assert client.get(f"{V1}/shipments", headers=as_other).json()["items"] == []
    # The same reference is a different key for another filer.
    assert client.post(f"{V1}/shipments", json=shipment(), headers=as_other).status_code == 201


def test_validation_errors_name_path_problem_and_value(client: TestClient) -> None:
    body = shipment()
    body["country_of_export"] = "XX"
    body["items"][0]["value"] = "-5"
    body["items"][0]["hs_code"] = "123456"
    response = client.post(f"{V1}/shipments", json=body)
    assert response.status_code == 422
    errors = {e["path"]: e for e in response.json()["errors"]}
    assert errors["country_of_export"]["value"] == "XX"
    assert "items.0.value" in errors
    assert "not in the HS nomenclature" in errors["items.0.hs_code"]["problem"]


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b'{"filer_reference": ', 422),
        (b"\xff\xfe not utf-8", 422),
        (b"[1, 2, 3]", 422),
        (b'{"filer_reference": "A", "items": [{"value": 1e999}]}', 422),
        (b'{"filer_reference": "A", "quantity": ' + b"9" * 5000 + b"}", 400),
    ],
)
def test_malformed_bodies_are_4xx(client: TestClient, content: bytes, status: int) -> None:
    response = client.post(
        f"{V1}/shipments", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_body_limit(client: TestClient) -> None:
    body = shipment(claimed_exemption="x" * 300_000)
    response = client.post(f"{V1}/shipments", json=body)
    assert response.status_code == 413


def test_batch_stores_good_and_reports_bad(client: TestClient) -> None:
    bad = shipment("BAD", mode="teleport")
    batch = {"shipments": [shipment("A"), bad, shipment("B"), shipment("C")]}
    result = client.post(f"{V1}/shipments/batch", json=batch).json()
    assert (result["accepted"], result["rejected"]) == (3, 1)
    assert result["errors"][0]["position"] == "index 1"
    assert result["errors"][0]["errors"][0]["path"] == "mode"


def test_all_or_nothing_batch_stores_nothing(client: TestClient) -> None:
    client.post(f"{V1}/shipments", json=shipment("A"))
    conflicting = shipment("A", port_of_arrival="USLAX")
    batch = {"shipments": [shipment("B"), conflicting], "all_or_nothing": True}
    response = client.post(f"{V1}/shipments/batch", json=batch)
    assert response.status_code == 422
    assert response.json()["errors"][0]["status"] == 409
    assert client.get(f"{V1}/shipments/B").status_code == 404


def test_batch_size_is_limited(client: TestClient) -> None:
    batch = {"shipments": [shipment(f"R{i}") for i in range(6)]}
    response = client.post(f"{V1}/shipments/batch", json=batch)
    assert response.status_code == 422
    assert "maximum is 5" in response.json()["detail"]


def test_listing_pages_with_a_cursor(client: TestClient) -> None:
    for i in range(5):
        client.post(f"{V1}/shipments", json=shipment(f"R{i}"))
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{V1}/shipments", params=params).json()
        seen += [s["filer_reference"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["R4", "R3", "R2", "R1", "R0"]
    assert client.get(f"{V1}/shipments", params={"limit": 100_000}).status_code == 422
    for listing in ("shipments", "manifests"):  # a cursor past 64 bits is refused, not a 500
        too_big = {"cursor": "10000000000000000000"}
        assert client.get(f"{V1}/{listing}", params=too_big).status_code == 422


def test_postal_item_and_itmatt(client: TestClient) -> None:
    response = client.post(f"{V1}/postal-items", json=postal_item())
    assert response.status_code == 201, response.text
    item = postal_item("POST-2", serial=12345679)
    itmatt = {
        "ItemId": item["item_id"],
        "NatureOfTransaction": "Sale of goods",
        "Sender": {"Name": "Li Wei", "Address": {"City": "Shenzhen", "CountryCd": "CN"}},
        "Addressee": {"Name": "Jane Doe", "Address": {"Line1": "1 Elm St", "CountryCd": "US"}},
        "Contents": [
            {
                "Description": "cotton t-shirt",
                "Quantity": 3,
                "NetWeight": 0.6,
                "Value": "24.00",
                "HsTariffNumber": "610910",
                "OriginCountryCd": "CN",
            }
        ],
        "CurrencyCd": "USD",
        "DestinationOfficeOfExchange": "USJFK",
        "EstimatedArrival": item["estimated_arrival"],
        "OriginCountryCd": "CN",
    }
    response = client.post(f"{V1}/postal-items/itmatt", json=itmatt)
    assert response.status_code == 201, response.text
    status = client.get(f"{V1}/shipments/{item['item_id']}").json()
    assert status["mode"] == "mail"
    wrong = client.post(f"{V1}/postal-items/itmatt", json=itmatt | {"NatureOfTransaction": "x"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["path"] == "NatureOfTransaction"


def test_late_truck_manifest_is_flagged(client: TestClient) -> None:
    late = client.post(f"{V1}/manifests", json=manifest(hours=0.25))
    assert late.status_code == 201
    assert late.json()["on_time"] is False
    assert late.json()["warnings"]
    assert client.get(f"{V1}/manifests/MAN-1").json()[0]["on_time"] is False


def test_manifest_cancel_and_listing(client: TestClient, keys: dict[str, str]) -> None:
    for n in range(3):
        assert client.post(f"{V1}/manifests", json=manifest(f"MAN-{n}")).status_code == 201
    missing = client.post(f"{V1}/manifests/MAN-9/cancel")
    assert missing.status_code == 404
    cancelled = client.post(f"{V1}/manifests/MAN-1/cancel")
    assert cancelled.status_code == 201, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["version"]) == ("cancelled", 2)
    again = client.post(f"{V1}/manifests/MAN-1/cancel")
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["version"] == 2
    versions = client.get(f"{V1}/manifests/MAN-1").json()
    assert [v["status"] for v in versions] == ["active", "cancelled"]

    first = client.get(f"{V1}/manifests", params={"limit": 2}).json()
    assert [m["filer_reference"] for m in first["items"]] == ["MAN-1", "MAN-2"]
    assert first["items"][0]["status"] == "cancelled"
    rest = client.get(f"{V1}/manifests", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [m["filer_reference"] for m in rest.json()["items"]] == ["MAN-0"]
    assert rest.json()["next_cursor"] is None
    # Another filer sees none of them and cannot cancel them.
    other = {"Authorization": f"Bearer {keys['OTHER']}"}
    assert client.get(f"{V1}/manifests", headers=other).json()["items"] == []
    assert client.post(f"{V1}/manifests/MAN-0/cancel", headers=other).status_code == 404


def test_bulk_ndjson_and_csv(client: TestClient) -> None:
    lines = [json.dumps(shipment(f"N{i}")) for i in range(3)] + ["{broken", ""]
    ndjson = ("\n".join(lines) + "\n").encode()
    result = client.post(
        f"{V1}/bulk", content=ndjson, headers={"Content-Type": "application/x-ndjson"}
    ).json()
    assert (result["records"], result["accepted"], result["rejected"]) == (4, 3, 1)
    assert result["errors"][0]["position"] == "line 4"
    again = client.post(f"{V1}/bulk?format=ndjson", content=ndjson).json()
    assert (again["accepted"], again["replayed"]) == (0, 3)
    header = (
        "filer_reference,mode,house_bill,port_of_arrival,estimated_arrival,country_of_export,"
        "shipper.name,shipper.address.country,consignee.name,consignee.address.country,"
        "items.description,items.hs_code,items.quantity,items.value,items.currency"
    )
    eta = shipment()["estimated_arrival"]
    rows = [
        f"C1,express,HB-C1,USJFK,{eta},CN,Shipper,CN,Buyer,US,shoes,640411,1,20,USD",
        "C1,,,,,,,,,,socks,611595,2,5,USD",
        f"C2,express,HB-C2,USJFK,{eta},CN,Shipper,ZZ,Buyer,US,shoes,640411,1,20,USD",
    ]
    csv_body = ("\n".join([header, *rows]) + "\n").encode()
    result = client.post(f"{V1}/bulk", content=csv_body, headers={"Content-Type": "text/csv"})
    assert result.status_code == 200, result.text
    body = result.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["errors"][0]["path"] == "shipper.address.country"
    status = client.get(f"{V1}/shipments/C1").json()
    assert len(status["filing"]["items"]) == 2
    no_key = client.post(f"{V1}/bulk?format=csv", content=b"a,b\n1,2\n")
    assert no_key.status_code == 400


def test_scorecard(client: TestClient) -> None:
    client.post(f"{V1}/shipments", json=shipment("A"))
    client.post(f"{V1}/shipments", json=shipment("B", seller=None, marketplace=None))
    card = client.get(f"{V1}/scorecard").json()
    assert card["filings"] == 2
    assert card["common_reasons"]["seller_missing"] == 1
    assert 0 < card["score"] <= 1


def test_openapi_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert f"{V1}/shipments/batch" in paths
    assert client.get("/docs").status_code == 200


def test_streamed_upload_over_its_limit_is_refused(store: Engine, keys: dict[str, str]) -> None:
    settings = Settings(max_upload_bytes=4096, api_key_cache_seconds=0)
    line = (json.dumps(shipment()) + "\n").encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(20):
            yield line

    with TestClient(create_app(settings, engine=store)) as test_client:
        response = test_client.post(
            f"{V1}/bulk?format=ndjson",
            content=chunks(),
            headers={"Authorization": f"Bearer {keys['ACME']}"},
        )
    assert response.status_code == 413
    assert "4096" in response.json()["detail"]


def test_bulk_reports_bad_encoding_per_line(client: TestClient) -> None:
    good = json.dumps(shipment("E1")).encode()
    body = good + b"\n" + b'{"filer_reference": "caf\xe9"}\n'
    result = client.post(f"{V1}/bulk?format=ndjson", content=body).json()
    assert (result["accepted"], result["rejected"]) == (1, 1)
    assert "UTF-8" in result["errors"][0]["errors"][0]["problem"]
