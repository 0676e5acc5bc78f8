"""The model, compliance, network and selection routes on a real store through
HTTP: what they refuse (status, field and reason) and that a refusal changes
nothing; what they change is audited."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ecomrisk.domain.enums import ExamType, Role
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.risk.model import registry
from ecomrisk.store.schema import audit_log, models, sample_designs, selection_runs
from ecomrisk.targeting import facilities_repo
from ecomrisk.web.queue_source import customs_today
from tests.web.conftest import Web, file_vague

AsRole = Callable[[Role], tuple[TestClient, str]]


def _count(web: Web, table: object) -> int:
    with web.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _register(web: Web) -> str:
    """A model version in the registry (its artifact is not loaded by these routes)."""
    with web.engine.begin() as connection:
        return registry.register(connection, b"not a model", {"window": {}}, "test")


def test_model_status_changes_are_audited_and_refusals_say_why(web: Web, as_role: AsRole) -> None:
    label = _register(web)
    client, token = as_role(Role.ANALYST)
    listing = client.get("/app/models")
    assert listing.status_code == 200
    assert label in listing.text
    page = client.get(f"/app/models/{label}")
    assert "has no evaluation report" in page.text
    assert client.get(f"/app/models/{label}/calibration.png").status_code == 404
    moved = client.post(
        f"/app/models/{label}/status",
        data={"status": "live", "csrf_token": token},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    again = client.post(f"/app/models/{label}/status", data={"status": "live", "csrf_token": token})
    assert again.status_code == 409
    assert f"{label} is live already" in again.text
    bad = client.post(f"/app/models/{label}/status", data={"status": "gone", "csrf_token": token})
    assert bad.status_code == 422
    assert "status" in bad.text
    refused = client.post("/app/models/rollback", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "nothing to roll back to" in refused.text
    assert client.get("/app/models/risk@99").status_code == 404
    with web.engine.connect() as connection:
        assert connection.execute(select(models.c.status)).scalar_one() == "live"
        actions = connection.execute(
            select(audit_log.c.action).where(audit_log.c.entity == "model")
        ).scalars()
        assert list(actions) == ["register", "set_status:live"]
    # A programme manager reads, and may not change.
    reader, reader_token = as_role(Role.PROGRAMME_MANAGER)
    assert reader.get(f"/app/models/{label}").status_code == 200
    forbidden = reader.post(
        f"/app/models/{label}/status", data={"status": "retired", "csrf_token": reader_token}
    )
    assert forbidden.status_code == 403


def test_a_bad_design_is_refused_with_the_field_and_stores_nothing(
    web: Web, as_role: AsRole
) -> None:
    file_vague(web, "D-1")
    client, token = as_role(Role.PROGRAMME_MANAGER)
    assert "No design yet" in client.get("/app/compliance").text
    form = {
        "margin": "0.05",
        "expected_rate": "0.1",
        "confidence": "0.95",
        "allocation": "overall",
        "by": ["mode", "trusted"],
        "csrf_token": token,
    }
    for field, value, message in [
        ("margin", "2", "margin"),
        ("confidence", "0.3", "confidence"),
        ("allocation", "evenly", "allocation"),
        ("by", ["colour"], "unknown stratifier colour"),
    ]:
        refused = client.post("/app/compliance/designs", data={**form, field: value})
        assert refused.status_code == 422, field
        assert message in refused.text
    assert _count(web, sample_designs) == 0
    made = client.post("/app/compliance/designs", data=form, follow_redirects=False)
    assert made.status_code == 303
    page = client.get("/app/compliance").text
    assert "Design 1: margin ±5.0 points" in page
    assert "strata by mode, trusted" in page
    assert "No usable random-sample exams" in page
    assert client.get("/app/compliance/report.png").status_code == 404
    assert client.get("/app/compliance?from=2026-02-01&to=2026-01-01").status_code == 422
    officer, _ = as_role(Role.OFFICER)
    assert officer.get("/app/compliance").status_code == 403


def test_a_supervisor_runs_the_selection_once_and_the_queue_shows_it(
    web: Web, as_role: AsRole
) -> None:
    sids = [file_vague(web, f"Q-{n}") for n in range(4)]
    day = customs_today(
        load_profile(web.settings.jurisdiction), datetime.now(UTC) + timedelta(hours=48)
    )
    client, token = as_role(Role.SUPERVISOR)
    before = client.get(f"/app/queue?facility=USJFK&day={day}").text
    assert f"No targeting selection for USJFK on {day}" in before
    missing = client.post(
        "/app/queue/select", data={"facility": "USJFK", "day": str(day), "csrf_token": token}
    )
    assert missing.status_code == 404
    assert "no facility" in missing.text
    with web.engine.begin() as connection:
        facilities_repo.put(
            connection,
            "USJFK",
            actor="test",
            name="JFK",
            capacity={ExamType.DOCUMENT_REVIEW: 2, ExamType.SCAN: 1, ExamType.PHYSICAL: 1},
            active=True,
        )
    bad_day = client.post(
        "/app/queue/select", data={"facility": "USJFK", "day": "someday", "csrf_token": token}
    )
    assert bad_day.status_code == 422
    assert "day" in bad_day.text
    ran = client.post(
        "/app/queue/select",
        data={"facility": "USJFK", "day": str(day), "csrf_token": token},
        follow_redirects=False,
    )
    assert ran.status_code == 303
    assert ran.headers["location"] == f"/app/queue?facility=USJFK&day={day}"
    again = client.post(
        "/app/queue/select", data={"facility": "USJFK", "day": str(day), "csrf_token": token}
    )
    assert again.status_code == 409
    assert "selected already" in again.text
    assert _count(web, selection_runs) == 1
    # The officer's queue opens on that day and shows the selection in rank order.
    officer, _ = as_role(Role.OFFICER)
    page = officer.get("/app/queue?facility=USJFK").text
    assert f"Targeting selection for USJFK on {day}" in page
    shown = [sid for sid in sids if f'/app/shipments/{sid}"' in page]
    assert shown, "the selection picked none of the filings"
    assert 'class="reason"' in page
    assert (
        officer.post("/app/queue/select", data={"facility": "USJFK", "day": str(day)}).status_code
        == 403
    )


def test_network_json_routes_refuse_bad_nodes_and_need_a_session(web: Web, as_role: AsRole) -> None:
    sid = file_vague(web, "N-1")
    client, _ = as_role(Role.OFFICER)
    client.headers["Accept"] = "application/json"  # as static/network.js asks
    bad = client.get("/app/network/graph/node?node=colour:blue")
    assert bad.status_code == 422
    assert "KIND:KEY" in bad.json()["detail"]
    assert client.get("/app/network/graph/node?node=entity:E999").status_code == 404
    assert client.get(f"/app/network/graph/link?entity=E999&node=shipment:{sid}").status_code == 404
    assert client.get("/app/network/networks/12345").status_code == 404
    assert "No network built yet" in client.get("/app/network").text
    anonymous = web.new_client()
    assert (
        anonymous.get("/app/network/graph/node?node=entity:E1", follow_redirects=False).status_code
        == 303
    )
    manager, _ = as_role(Role.PROGRAMME_MANAGER)
    assert manager.get("/app/network").status_code == 403
