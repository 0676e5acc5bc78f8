"""The officer's work over HTTP: the queue per facility, claims, the shipment page,
recording an exam (features see it), and the enforcement case it opens."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ecomrisk.domain.enums import Role
from ecomrisk.store.schema import (
    audit_log,
    enforcement_cases,
    findings,
    outcome_events,
    outcomes,
    queue_claims,
)
from tests.web.conftest import Web, file, file_vague

AsRole = Callable[[Role], tuple[TestClient, str]]


def _count(web: Web, table: object) -> int:
    with web.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_queue_per_facility_filter_sort_and_claim(web: Web, as_role: AsRole) -> None:
    jfk = file_vague(web, "Q-JFK")
    lax = file_vague(web, "Q-LAX", port="USLAX")
    file(web, "Q-CLEAR")  # released by the rules: not in the queue
    officer, token = as_role(Role.OFFICER)
    page = officer.get("/app/queue")
    assert page.status_code == 200
    assert "HBQ-JFK" in page.text
    assert "HBQ-LAX" in page.text
    assert "HBQ-CLEAR" not in page.text
    only_lax = officer.get("/app/queue", params={"facility": "USLAX"}).text
    assert "HBQ-LAX" in only_lax
    assert "HBQ-JFK" not in only_lax
    assert "HBQ-JFK" in officer.get("/app/queue", params={"search": "HBQ-J"}).text
    assert "HBQ-JFK" not in officer.get("/app/queue", params={"search": "HBQ-L"}).text
    assert officer.get("/app/queue", params={"sort": "nonsense"}).status_code == 422
    # Claim with HTMX: the row comes back, claimed by me.
    row = officer.post(
        f"/app/shipments/{jfk}/claim", headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert row.status_code == 200
    assert row.text.strip().startswith(f'<tr id="row-{jfk}"')
    assert web.user(Role.OFFICER) in row.text
    mine = officer.get("/app/queue", params={"claim": "mine"}).text
    assert "HBQ-JFK" in mine
    assert "HBQ-LAX" not in mine
    # A second officer cannot take it; a supervisor can release it.
    supervisor, supervisor_token = as_role(Role.SUPERVISOR)
    taken = supervisor.post(f"/app/shipments/{jfk}/claim", data={"csrf_token": supervisor_token})
    assert taken.status_code == 409
    assert "claimed by" in taken.text
    released = supervisor.post(
        f"/app/shipments/{jfk}/release-claim",
        data={"csrf_token": supervisor_token},
        follow_redirects=False,
    )
    assert released.status_code == 303
    assert _count(web, queue_claims) == 0
    assert (
        officer.post(f"/app/shipments/{lax}/claim", data={"csrf_token": token}).status_code == 200
    )


def test_shipment_page_shows_every_element_and_no_external_image(web: Web, as_role: AsRole) -> None:
    sid = file_vague(web, "S-1", brand="Acme")
    analyst, _ = as_role(Role.ANALYST)
    page = analyst.get(f"/app/shipments/{sid}")
    assert page.status_code == 200
    for element in ("Shenzhen Trading Co.", "6404112000", "Shopmart", "S-9", "USJFK", "Acme"):
        assert element in page.text
    assert "https://shop.example/p/1.jpg" in page.text
    assert "<img" not in page.text  # a link, never a loaded external image
    assert "document review" in page.text  # the lane, in words
    assert "Goods described only as gift" in page.text or "gift" in page.text
    assert "Record an exam" not in page.text  # analysts read, officers record
    assert analyst.get("/app/shipments/999999").status_code == 404


def test_a_bad_exam_is_refused_with_the_field_and_changes_nothing(
    web: Web, as_role: AsRole
) -> None:
    sid = file_vague(web, "E-1")
    officer, token = as_role(Role.OFFICER)
    bad = officer.post(
        f"/app/shipments/{sid}/exam",
        data={
            "csrf_token": token,
            "exam_type": "physical",
            "result": "violation",
            "action": "seize",
        },
    )
    assert bad.status_code == 422
    assert "findings" in bad.text
    assert "a violation needs at least one finding" in bad.text
    wrong_value = officer.post(
        f"/app/shipments/{sid}/exam",
        data={
            "csrf_token": token,
            "exam_type": "physical",
            "result": "violation",
            "action": "seize",
            "finding_type_1": "undervaluation",
            "corrected_value_1": "lots",
        },
    )
    assert wrong_value.status_code == 422
    assert "findings.0.corrected_value" in wrong_value.text
    assert _count(web, outcomes) == 0
    assert _count(web, enforcement_cases) == 0


def test_an_exam_with_a_seizure_opens_a_case_and_feeds_features(web: Web, as_role: AsRole) -> None:
    sid = file_vague(web, "E-2")
    officer, token = as_role(Role.OFFICER)
    done = officer.post(
        f"/app/shipments/{sid}/exam",
        data={
            "csrf_token": token,
            "exam_type": "physical",
            "result": "violation",
            "action": "seize",
            "finding_type_1": "undervaluation",
            "corrected_value_1": "180.00",
            "note_1": "invoice shows 180",
            "msrp_seized": "200",
            "currency": "USD",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert _count(web, outcomes) == 1
    assert _count(web, findings) == 1
    assert _count(web, outcome_events) == 1  # history features see the outcome
    with web.engine.connect() as connection:
        case = connection.execute(select(enforcement_cases)).one()
        actions = set(connection.execute(select(audit_log.c.action)).scalars())
    assert case.status == "seized"
    assert {"outcome.record", "case.seize"} <= actions
    page = officer.get(f"/app/shipments/{sid}").text
    assert "180.00" in page
    assert "invoice shows 180" in page
    assert "notice of seizure due" in page
    assert "HBE-2" not in officer.get("/app/queue").text  # examined: off the queue
    # The case: the notice, then forfeiture and destruction; each step stamped with who.
    steps = [("seizure_notice", 303), ("release", 303), ("destroy", 409)]
    for step, status in steps:
        response = officer.post(
            f"/app/cases/{case.id}/steps",
            data={"csrf_token": token, "step": step, "note": f"{step} done"},
            follow_redirects=False,
        )
        assert response.status_code == status, response.text
    page = officer.get(f"/app/cases/{case.id}").text
    assert "Notice of seizure sent" in page
    assert "released" in page
    assert web.user(Role.OFFICER) in page
    assert (
        "destroy is not possible when released"
        in officer.post(
            f"/app/cases/{case.id}/steps", data={"csrf_token": token, "step": "destroy"}
        ).text
    )


def test_a_detention_shows_its_deadlines(web: Web, as_role: AsRole) -> None:
    sid = file_vague(web, "E-3")
    officer, token = as_role(Role.OFFICER)
    officer.post(
        f"/app/shipments/{sid}/exam",
        data={
            "csrf_token": token,
            "exam_type": "scan",
            "result": "inconclusive",
            "action": "detain",
        },
    )
    cases = officer.get("/app/cases").text
    assert "notice of detention: due" in cases
    assert "release, seizure or abandonment of detained goods: due" in cases
    assert "overdue" not in cases
    assert officer.get("/app/cases", params={"status": "detained"}).text.count("HBE-3") == 1
    assert "HBE-3" not in officer.get("/app/cases", params={"status": "seized"}).text
