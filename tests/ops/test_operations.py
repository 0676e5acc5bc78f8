"""/healthz, /readyz, /metrics, request ids and security headers, on a real store."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from ecomrisk.api import create_app
from ecomrisk.api.access import api_routes
from ecomrisk.api.ops.headers import CSP, inline_script_hashes
from ecomrisk.domain.enums import FilerType
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo
from ecomrisk.web.auth import PREFIX as WEB_PREFIX
from ecomrisk.web.portal import PORTAL_PREFIX
from ecomrisk.web.security import CONTENT_SECURITY_POLICY as WEB_CSP
from tests.samples import shipment

V1 = "/api/v1"


@pytest.fixture
def key(store: Engine) -> str:
    with store.begin() as connection:
        _, issued = filers_repo.create_filer(
            connection, code="OPS", name="Ops", filer_type=FilerType.CARRIER, actor="t"
        )
    return issued.key


@pytest.fixture
def app(store: Engine) -> FastAPI:
    return create_app(Settings(api_key_cache_seconds=0), engine=store)


@pytest.fixture
def client(app: FastAPI, key: str) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body = client.get("/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_health_and_readiness(client: TestClient, store: Engine) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    with store.begin() as connection:  # the store falls behind the code's schema
        connection.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json() == {
        "status": "unavailable",
        "reason": f"store at revision 0005, not {ready.json()['revision']}: "
        "run `ecomrisk db upgrade`",
    }
    assert client.get("/healthz").status_code == 200  # alive, only not ready


def test_readiness_reports_an_unreachable_store(store: Engine) -> None:
    if store.dialect.name != "sqlite":
        pytest.skip("a SQLite file can be taken away; a server is not ours to stop")
    app = create_app(Settings(), engine=store)
    store.dispose()
    file = Path(str(store.url.database))
    file.rename(file.with_name("gone.db"))
    file.mkdir()  # a folder where the file was: the store cannot be opened
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"].startswith("database unreachable (")


def test_metrics_count_requests_filings_and_decisions(client: TestClient) -> None:
    before = _samples(client)
    first = shipment("M-1")
    assert client.post(f"{V1}/shipments", json=first).status_code == 201
    assert client.post(f"{V1}/shipments", json=first).status_code == 200
    assert client.post(f"{V1}/shipments", json={"filer_reference": "bad"}).status_code == 422
    batch = {"shipments": [shipment("M-2"), shipment("M-3"), {"filer_reference": "x"}]}
    assert client.post(f"{V1}/shipments/batch", json=batch).status_code == 200
    assert client.get(f"{V1}/shipments/M-1").status_code == 200
    assert client.get(f"{V1}/shipments/NOPE").status_code == 404
    after = _samples(client)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("ecomrisk_filings_total", outcome="accepted") == 3
    assert delta("ecomrisk_filings_total", outcome="replayed") == 1
    assert delta("ecomrisk_filings_total", outcome="rejected") == 2
    lanes = sum(
        v - _value(before, n, **dict(labels))
        for (n, labels), v in after.items()
        if n == "ecomrisk_decisions_total" and dict(labels)["kind"] == "live"
    )
    assert lanes == 3  # one live decision per stored version, counted at commit
    template = "/api/v1/shipments/{filer_reference:path}"
    assert delta("ecomrisk_http_requests_total", method="GET", route=template, status="200") == 1
    assert delta("ecomrisk_http_requests_total", method="GET", route=template, status="404") == 1
    assert (
        delta(
            "ecomrisk_http_request_duration_seconds_count", method="POST", route="/api/v1/shipments"
        )
        == 3
    )
    assert _value(after, "ecomrisk_bulk_uploads_in_progress") == 0


def test_rolled_back_decisions_are_not_counted(client: TestClient) -> None:
    assert client.post(f"{V1}/shipments", json=shipment("RB-0")).status_code == 201
    before = _samples(client)
    # RB-1 is written and decided in the transaction, then RB-0's changed content
    # without amend refuses the batch: everything rolls back.
    changed = shipment("RB-0", house_bill="HB-CHANGED")
    batch = {"all_or_nothing": True, "shipments": [shipment("RB-1"), changed]}
    assert client.post(f"{V1}/shipments/batch", json=batch).status_code == 422
    assert client.get(f"{V1}/shipments/RB-1").status_code == 404
    after = _samples(client)
    decided = [
        v - _value(before, n, **dict(labels))
        for (n, labels), v in after.items()
        if n == "ecomrisk_decisions_total"
    ]
    assert sum(decided) == 0


def test_unknown_paths_share_one_label(client: TestClient) -> None:
    for path in ("/nope/1", "/nope/2", "/api/v1/zzz"):
        assert client.get(path).status_code == 404
    routes = {dict(k[1]).get("route") for k in _samples(client) if k[1]}
    assert "(unmatched)" in routes
    assert not any(r and r.startswith("/nope") for r in routes)


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    odd = client.get("/healthz", headers={"X-Request-ID": "a b\tc" * 30})
    assert odd.headers["X-Request-ID"] != "a b\tc" * 30  # not a safe id: a new one


def _path(route: RouteContext) -> str:
    return (
        route.path.replace("{filer_reference:path}", "R-1")
        .replace("{label}", "default@1")
        .replace("{decision_id}", "1")
    )


def test_security_headers_on_every_route(app: FastAPI, client: TestClient) -> None:
    routes = api_routes(app.routes)
    assert len(routes) >= 20
    seen = set()
    for route in routes:
        for method in route.methods:
            response = client.request(method, _path(route))
            seen.add(response.status_code)
            headers = response.headers
            # The web app's and the public portal's pages keep their own, stricter
            # policy (and same-origin referrers, which their forms need).
            page = route.path.startswith((WEB_PREFIX, PORTAL_PREFIX))
            assert headers["Content-Security-Policy"] == (WEB_CSP if page else CSP), route.path
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == ("same-origin" if page else "no-referrer")
            assert headers["X-Frame-Options"] == "DENY"
            assert "Strict-Transport-Security" not in headers  # not behind TLS here
    assert {200, 404, 422} <= seen  # answers and refusals alike carry them
    for path in ("/openapi.json", "/nope"):
        assert client.get(path).headers["Content-Security-Policy"] == CSP
    big = client.post(f"{V1}/shipments", content=b"x" * 11_000_000)
    assert big.status_code == 413
    assert big.headers["Content-Security-Policy"] == CSP


def test_docs_page_allows_only_its_own_inline_script(client: TestClient) -> None:
    page = client.get("/docs")
    policy = page.headers["Content-Security-Policy"]
    hashes = inline_script_hashes(page.content)
    assert hashes
    assert all(h in policy for h in hashes)
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_hsts_when_behind_tls(store: Engine) -> None:
    with TestClient(create_app(Settings(behind_tls=True), engine=store)) as client:
        assert (
            client.get("/healthz")
            .headers["Strict-Transport-Security"]
            .startswith("max-age=31536000")
        )
