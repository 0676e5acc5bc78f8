"""Reports in the analysts' triage queue: linking a report to a party raises the risk
of that party's next filing through the real filer API, with the report as the
reason; an unsubstantiated outcome takes it back."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ecomrisk.domain.enums import Role
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.rescore import rescore
from ecomrisk.store.schema import audit_log, decisions
from tests.portal.test_portal import portal_client, send
from tests.samples import party, shipment
from tests.web.conftest import Web

VIOLATOR = "Fake Brand Factory"


def _file(web: Web, reference: str, shipper: str) -> Any:
    body = shipment(reference, shipper=party(shipper, "CN"))
    response = web.filer.post("/api/v1/shipments", json=body)
    assert response.status_code == 201, response.text
    with web.engine.connect() as connection:
        return connection.execute(
            select(decisions).where(
                decisions.c.shipment_id == web.sid(reference), decisions.c.kind == "live"
            )
        ).one()


def _latest(web: Web, reference: str) -> Any:
    with web.engine.connect() as connection:
        return connection.execute(
            select(decisions)
            .where(decisions.c.shipment_id == web.sid(reference), decisions.c.kind == "live")
            .order_by(decisions.c.id.desc())
            .limit(1)
        ).one()


def test_a_linked_report_raises_the_next_filing_of_the_party(
    web: Web, as_role: Callable[[Role], tuple[TestClient, str]]
) -> None:
    before = _file(web, "I-1", VIOLATOR)
    assert before.lane == "release"
    response = send(portal_client(web))
    reference = response.headers["location"].rsplit("/", 1)[-1]  # type: ignore[attr-defined]

    analyst, token = as_role(Role.ANALYST)
    queue = analyst.get("/app/triage")
    assert reference in queue.text
    assert VIOLATOR in queue.text
    page = analyst.get(f"/app/triage/{reference}")
    assert "fake brand factory" in page.text  # the party found by the alleged violator's name
    bad = analyst.post(
        f"/app/triage/{reference}/links",
        data={"kind": "entity", "target": "no-such-entity", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "no party belongs to entity" in bad.text
    linked = analyst.post(
        f"/app/triage/{reference}/links",
        data={"kind": "name", "target": "FAKE brand  factory", "csrf_token": token},
        follow_redirects=False,
    )
    assert linked.status_code == 303, linked.text

    after = _file(web, "I-2", VIOLATOR)
    assert after.lane == "physical"
    assert after.score >= 1 - (1 - before.score) * 0.5 > before.score
    assert after.features["intelligence_reports"] == 1.0
    assert after.versions["intelligence"] == "intel-v1"
    reason = next(r for r in after.reasons if r["kind"] == "intelligence")
    assert reason["code"] == reference
    assert f"shipper {VIOLATOR!r} is linked (name) to public report {reference}" in reason["text"]
    assert "suspected counterfeit" in reason["text"]
    assert "source: public portal" in reason["text"]
    officer_page = as_role(Role.SUPERVISOR)[0].get(f"/app/shipments/{web.sid('I-2')}")
    assert f"public report {reference}" in officer_page.text

    other = _file(web, "I-3", "Honest Shipper Co")
    assert other.lane == "release"
    assert other.features["intelligence_reports"] == 0.0

    # Batch rescoring reads the links too: the filing made before the report is raised.
    rescore(web.engine, feature_context(web.engine, web.settings))
    assert _latest(web, "I-1").lane == "physical"
    assert _latest(web, "I-3").lane == "release"

    recorded = analyst.post(
        f"/app/triage/{reference}/outcome",
        data={"outcome": "unsubstantiated", "note": "genuine goods", "csrf_token": token},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    assert _file(web, "I-4", VIOLATOR).lane == "release"
    wrong = analyst.post(
        f"/app/triage/{reference}/outcome", data={"outcome": "maybe", "csrf_token": token}
    )
    assert wrong.status_code == 422
    assert "outcome: &#39;maybe&#39; is not one of" in wrong.text
    with web.engine.connect() as connection:
        actions = (
            connection.execute(select(audit_log.c.action).where(audit_log.c.entity_id == reference))
            .scalars()
            .all()
        )
    assert actions == ["report.receive", "report.link", "report.outcome"]
