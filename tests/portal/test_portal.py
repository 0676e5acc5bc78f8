"""The public portal over real HTTP on a real store: reports with evidence files,
spam and rate limits, what the public may see, and its separation from /app."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ecomrisk.api import create_app
from ecomrisk.domain.enums import Role
from ecomrisk.programme import repo
from ecomrisk.programme.criteria import load_thresholds
from ecomrisk.settings import Settings
from ecomrisk.store.schema import audit_log, portal_reports, report_files
from ecomrisk.web import page_routers
from ecomrisk.web.auth import SESSION_COOKIE, RoleRule
from ecomrisk.web.portal import PORTAL_PREFIX, portal_routers
from tests.web.conftest import Web
from tests.web.test_role_matrix import _rule

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
REPORT = {
    "violator_name": "Fake Brand Factory",
    "violator_address": "8 Harbour Road, Kowloon",
    "violator_website": "https://fakebrand.example/shop",
    "violation_type": "counterfeit",
    "product": "sports shoes",
    "description": "The shoes carry a famous logo but sell at a tenth of the price.",
}


def portal_client(web: Web, **settings: object) -> TestClient:
    values: dict[str, object] = {"api_key_cache_seconds": 0, "portal_min_fill_seconds": 0}
    config = Settings.model_validate({**values, **settings})
    client = TestClient(create_app(config, engine=web.engine))
    web.clients[f"portal{len(web.clients)}"] = client
    return client


def send(client: TestClient, files: list[tuple[str, bytes]] | None = None, **fields: str) -> object:
    token = TOKEN.search(client.get("/portal/report").text)
    assert token, "no form token on the report form"
    data = {**REPORT, "form_token": token.group(1), **fields}
    upload = [("evidence", (name, content)) for name, content in (files or [])]
    return client.post("/portal/report", data=data, files=upload or None, follow_redirects=False)


def counts(web: Web) -> tuple[int, int]:
    with web.engine.connect() as connection:
        reports = connection.execute(select(func.count()).select_from(portal_reports)).scalar()
        files = connection.execute(select(func.count()).select_from(report_files)).scalar()
    return int(reports or 0), int(files or 0)


def test_a_report_with_evidence_gets_a_reference_and_is_kept_whole(web: Web) -> None:
    client = portal_client(web)
    response = send(
        client, files=[("shoes.png", PNG), ("invoice.pdf", PDF)], contact_email="a@b.example"
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    reference = response.headers["location"].rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    assert re.fullmatch(r"RPT-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    page = client.get(f"/portal/report/sent/{reference}")
    assert reference in page.text
    assert "set-cookie" not in page.headers
    with web.engine.connect() as connection:
        row = connection.execute(select(portal_reports)).one()
        stored = connection.execute(
            select(report_files.c.filename, report_files.c.media_type, report_files.c.content)
        ).all()
        audited = connection.execute(
            select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.entity_id == reference)
        ).all()
    assert (row.reference, row.violator_name, row.status, row.contact_email) == (
        reference,
        "Fake Brand Factory",
        "new",
        "a@b.example",
    )
    assert sorted(stored) == [
        ("invoice.pdf", "application/pdf", PDF),
        ("shoes.png", "image/png", PNG),
    ]
    assert audited == [("report.receive", "public")]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [("evil.pdf", b"MZ\x90\x00 this is a windows program")],
            "not a PDF, PNG, JPEG, GIF or WebP",
        ),
        ([("photo.pdf", PNG)], "the content is image/png but the name says otherwise"),
        ([("big.png", PNG + b"\x00" * 2048)], "over the limit of 2048 bytes"),
        ([("empty.png", b"")], "the file is empty"),
        ([(f"p{i}.png", PNG) for i in range(3)], "at most 2 files"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_kept(
    web: Web, files: list[tuple[str, bytes]], message: str
) -> None:
    client = portal_client(web, portal_max_file_bytes=2048, portal_max_files=2)
    response = send(client, files=files)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.text  # type: ignore[attr-defined]
    assert counts(web) == (0, 0)


def test_bad_fields_are_named_and_nothing_is_kept(web: Web) -> None:
    client = portal_client(web)
    response = send(
        client,
        violation_type="smuggling",
        description="short",
        contact_email="nope",
        violator_name="",
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    for problem in (
        "violator_name: required",
        "violation_type: &#39;smuggling&#39; is not one of",
        "description: say what you saw",
        "contact_email: not an e-mail address",
    ):
        assert problem in response.text  # type: ignore[attr-defined]
    assert counts(web) == (0, 0)


def test_spam_is_refused_honeypot_fill_time_forged_token(web: Web) -> None:
    client = portal_client(web)
    assert send(client, homepage="http://spam.example").status_code == 400  # type: ignore[attr-defined]
    forged = client.post("/portal/report", data={**REPORT, "form_token": "forged"})
    assert forged.status_code == 422
    assert "not sent from this portal" in forged.text
    slow = portal_client(web, portal_min_fill_seconds=60)
    too_fast = send(slow)
    assert too_fast.status_code == 422  # type: ignore[attr-defined]
    assert "faster than a person" in too_fast.text  # type: ignore[attr-defined]
    assert counts(web) == (0, 0)


def test_reports_and_searches_are_rate_limited_per_client(web: Web) -> None:
    client = portal_client(web, portal_reports_per_hour=2, portal_searches_per_minute=3)
    assert [send(client).status_code for _ in range(3)] == [303, 303, 429]  # type: ignore[attr-defined]
    assert counts(web) == (2, 0)
    searches = [client.get("/portal/trusted", params={"q": "acme"}).status_code for _ in range(4)]
    assert searches == [200, 200, 200, 429]
    assert "wait a minute" in client.get("/portal/trusted", params={"q": "x"}).text


def test_the_public_search_shows_only_public_fields(web: Web) -> None:
    with web.engine.begin() as connection:
        app = repo.apply(
            connection,
            role="consignee",
            name="Honest Imports Ltd",
            contact="secret-contact@honest.example",
            channel="app",
            actor="user:pm",
            country="GB",
        )
        repo.decide(
            connection,
            app.reference,
            "approve",
            "vetted on site",
            actor="user:pm",
            thresholds=load_thresholds(),
        )
        pending = repo.apply(
            connection,
            role="shipper",
            name="Honest Shipping",
            contact="c@x.example",
            channel="app",
            actor="user:pm",
        )
    client = portal_client(web)
    page = client.get("/portal/trusted", params={"q": "honest"})
    assert page.status_code == 200
    row = re.search(r"<tbody>(.*?)</tbody>", page.text, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[:3] == ["Honest Imports Ltd", "Importer", "GB"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells[3])
    for internal in (
        "secret-contact",
        app.reference,
        pending.reference,
        "vetted on site",
        "honest imports ltd",
        "Honest Shipping",
        "user:pm",
    ):
        assert internal not in page.text


def _portal_routes() -> list[tuple[str, str, RoleRule | None]]:
    found = []
    for router in portal_routers():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = PORTAL_PREFIX + route.path.replace("{reference}", "RPT-AAAA-BBBB")
            for method in sorted(route.methods):
                found.append((method, path, _rule(route)))
    return found


def test_every_portal_route_is_public_and_apart_from_the_app(
    web: Web, as_role: Callable[[Role], tuple[TestClient, str]]
) -> None:
    routes = _portal_routes()
    assert len(routes) >= 6
    assert [f"{m} {p}" for m, p, rule in routes if rule is None or not rule.public] == []
    app_paths = {
        r.path for router in page_routers() for r in router.routes if isinstance(r, APIRoute)
    }
    assert not any(p.startswith(PORTAL_PREFIX) for p in app_paths)
    analyst, _ = as_role(Role.ANALYST)
    assert analyst.cookies.get(SESSION_COOKIE)
    anonymous = portal_client(web)
    doc = (Path(__file__).parents[2] / "docs" / "portal.md").read_text("utf-8")
    for method, path, _ in routes:
        documented = re.sub(r"RPT-AAAA-BBBB", "{reference}", path)
        assert f"`{method} {documented}" in doc, (
            f"{method} {documented} missing from docs/portal.md"
        )
        for client in (anonymous, analyst):
            response = client.request(method, path, follow_redirects=False)
            assert response.status_code < 500, (method, path)
            assert response.status_code not in (401, 403), (method, path)
            assert "set-cookie" not in response.headers
            assert "/app/sign-in" not in response.headers.get("location", "")
            assert "content-security-policy" in response.headers
            assert "Sign out" not in response.text  # no app session shown, whoever calls


def test_app_cookies_never_reach_a_portal_handler(web: Web) -> None:
    application = create_app(Settings(api_key_cache_seconds=0), engine=web.engine)

    async def probe(request: Request) -> dict[str, str]:
        return dict(request.cookies)

    application.add_api_route(f"{PORTAL_PREFIX}/probe", probe)
    application.add_api_route("/app-probe", probe)
    client = TestClient(application)
    web.clients["probe"] = client
    assert (
        client.get(
            f"{PORTAL_PREFIX}/probe", headers={"Cookie": "ecomrisk_session=a; other=x"}
        ).json()
        == {}
    )
    assert client.get("/app-probe", headers={"Cookie": "ecomrisk_session=a"}).json() == {
        SESSION_COOKIE: "a"
    }
