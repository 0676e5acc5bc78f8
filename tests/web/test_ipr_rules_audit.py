"""Administrators keep IPR recordations and users; a counterfeit finding links to its
recordation with the notice to the rights holder; analysts edit, validate, publish,
backtest, shadow and promote rules; every change is in the browsable audit log."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from ecomrisk.domain.enums import Role
from ecomrisk.risk import rulesets_repo
from ecomrisk.store.schema import finding_recordations, findings, rulesets
from tests.web.conftest import Web, file_vague, sign_in

AsRole = Callable[[Role], tuple[TestClient, str]]


def test_counterfeit_finding_links_to_its_recordation_and_notice(web: Web, as_role: AsRole) -> None:
    admin, admin_token = as_role(Role.ADMINISTRATOR)
    created = admin.post(
        "/app/ipr",
        data={
            "csrf_token": admin_token,
            "number": "TMK 21-001",
            "trademark": "Acme",
            "owner": "Acme Brands Inc.",
            "owner_contact": "ip@acme.example",
            "authorised_manufacturers": "Acme Factory One\nAcme Factory Two",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    twice = admin.post(
        "/app/ipr",
        data={
            "csrf_token": admin_token,
            "number": "TMK 21-001",
            "trademark": "X",
            "owner": "Y",
            "owner_contact": "z",
        },
    )
    assert twice.status_code == 422
    assert "number: recordation &#39;TMK 21-001&#39; exists already" in twice.text
    sid = file_vague(web, "C-1", brand="Acme")
    officer, token = as_role(Role.OFFICER)
    page = officer.get(f"/app/shipments/{sid}").text
    assert "TMK 21-001 · Acme" in page
    with web.engine.connect() as connection:
        recordation_id = connection.execute(select(finding_recordations.c.recordation_id)).scalar()
    assert recordation_id is None
    option = page.split('name="recordation_1"')[1].split('value="')[2].split('"')[0]
    done = officer.post(
        f"/app/shipments/{sid}/exam",
        data={
            "csrf_token": token,
            "exam_type": "physical",
            "result": "violation",
            "action": "seize",
            "finding_type_1": "counterfeit",
            "recordation_1": option,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = officer.get(f"/app/shipments/{sid}").text
    assert "Infringes recordation TMK 21-001" in page
    with web.engine.connect() as connection:
        finding_id = connection.execute(select(findings.c.id)).scalar_one()
    notice = officer.post(
        f"/app/findings/{finding_id}/notice",
        data={"csrf_token": token, "note": "emailed ip@acme.example"},
        follow_redirects=False,
    )
    assert notice.status_code == 303
    assert "Rights holder notified" in officer.get(f"/app/shipments/{sid}").text
    again = officer.post(f"/app/findings/{finding_id}/notice", data={"csrf_token": token})
    assert again.status_code == 422
    assert "notified already" in again.text
    audit = admin.get("/app/audit", params={"entity": "finding"}).text
    assert "ipr.link" in audit
    assert "ipr.notice" in audit


def test_analyst_edits_validates_publishes_backtests_shadows_and_promotes(
    web: Web, as_role: AsRole
) -> None:
    file_vague(web, "R-1")
    analyst, token = as_role(Role.ANALYST)
    assert "default@1" in analyst.get("/app/rules").text
    edit = analyst.get("/app/rules/default@1/edit").text
    assert "version: 2" in edit
    source = (
        edit.split('class="yaml" spellcheck="false" required>')[1]
        .split("</textarea>")[0]
        .replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
    broken = source.replace("weight: 0.35", "weight: 3.5", 1)
    checked = analyst.post("/app/rules/validate", data={"csrf_token": token, "source": broken})
    assert "field rules.0.weight" in checked.text
    assert "line " in checked.text
    refused = analyst.post("/app/rules", data={"csrf_token": token, "source": broken})
    assert refused.status_code == 422
    with web.engine.connect() as connection:
        assert connection.execute(select(rulesets.c.version)).scalars().all() == [1]
    assert (
        "Valid rule set"
        in analyst.post("/app/rules/validate", data={"csrf_token": token, "source": source}).text
    )
    published = analyst.post(
        "/app/rules", data={"csrf_token": token, "source": source}, follow_redirects=False
    )
    assert published.headers["location"] == "/app/rules/default@2"
    report = analyst.post("/app/rules/default@2/backtest", data={"csrf_token": token})
    assert report.status_code == 200
    assert "vague-description" in report.text
    assert "1 current shipments" in report.text
    analyst.post("/app/rules/default@2/status", data={"csrf_token": token, "status": "shadow"})
    file_vague(web, "R-2")  # decided live by default@1 and in shadow by default@2
    shadow = analyst.get("/app/rules/default@2/shadow").text
    assert "1 shipment versions decided in shadow" in shadow
    analyst.post("/app/rules/default@2/status", data={"csrf_token": token, "status": "live"})
    with web.engine.connect() as connection:
        assert [r.label for r in rulesets_repo.with_status(connection, "live")] == ["default@2"]
        assert [r.label for r in rulesets_repo.with_status(connection, "retired")] == ["default@1"]
    auditor, _ = as_role(Role.SUPERVISOR)
    log = auditor.get("/app/audit", params={"actor": f"user:{web.user(Role.ANALYST)}"}).text
    assert "set_status:live" in log
    assert "publish" in log
    assert "session.start" in log
    assert "user.create" not in log  # filtered to the analyst's own changes


def test_administrator_manages_users(web: Web, as_role: AsRole) -> None:
    admin, token = as_role(Role.ADMINISTRATOR)
    short = admin.post(
        "/app/users",
        data={
            "csrf_token": token,
            "username": "dana",
            "display_name": "Dana",
            "password": "short",
            "roles": ["officer"],
        },
    )
    assert short.status_code == 422
    assert "password: at least 12 characters" in short.text
    assert "dana" not in admin.get("/app/users").text  # refused whole: no user without password
    no_role = admin.post(
        "/app/users",
        data={
            "csrf_token": token,
            "username": "dana",
            "display_name": "Dana",
            "password": "a long enough password",
        },
    )
    assert no_role.status_code == 422
    created = admin.post(
        "/app/users",
        data={
            "csrf_token": token,
            "username": "dana",
            "display_name": "Dana",
            "password": "a long enough password",
            "roles": ["officer", "analyst"],
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    dana = web.new_client()
    sign_in(dana, "dana", "a long enough password")
    assert dana.get("/app/queue").status_code == 200
    admin.post("/app/users/dana/roles", data={"csrf_token": token, "roles": ["analyst"]})
    assert dana.get("/app/queue").status_code == 403
    admin.post(
        "/app/users/dana/password", data={"csrf_token": token, "password": "another long one!"}
    )
    sign_in(web.new_client(), "dana", "another long one!")
    log = admin.get("/app/audit", params={"entity": "user", "entity_id": "dana"}).text
    for action in ("user.create", "user.roles", "user.password"):
        assert action in log
    assert "a long enough password" not in log  # never a password in the log
    assert (
        admin.post(
            "/app/users/nobody/roles", data={"csrf_token": token, "roles": ["analyst"]}
        ).status_code
        == 404
    )
