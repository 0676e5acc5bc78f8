"""The trusted-shipper programme on a small synthetic world with known truth: a clean
shipper and a violating one filed through the filer API, exams recorded as officers
do; criteria, decisions, trusted status and re-vetting checked against that truth."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, func, select, update

from ecomrisk.domain.enums import Action, ExamResult, ExamType, FindingType, SelectionKind
from ecomrisk.domain.records import Finding, Outcome
from ecomrisk.programme import repo
from ecomrisk.programme.criteria import Evidence, Thresholds, evaluate, load_thresholds
from ecomrisk.store import outcomes_repo
from ecomrisk.store.schema import audit_log, programme_applications, shipments, trusted_parties
from ecomrisk.targeting import trusted_repo
from tests.samples import party, shipment
from tests.web.conftest import Web

GOOD = "Clean Parcels Ltd"
BAD = "Shady Goods Co"
SMALL = load_thresholds().model_copy(
    update={"min_shipments": 5, "min_random_exams": 4, "min_compliance_lower": 0.5}
)

CLEAN = Evidence(
    first_filed="2025-01-01",
    days_of_history=400,
    shipments=500,
    random_exams=40,
    random_violations=0,
    violations_365d=0,
    seizures_365d=0,
    quality_score=0.97,
    quality_filings=500,
    screening_score=0.0,
    screening_match=None,
    network_risk=0.01,
    network_node="entity:e1",
)


def test_a_clean_record_passes_every_criterion() -> None:
    evaluation = evaluate(CLEAN, load_thresholds())
    assert evaluation.passed, evaluation.failed
    assert [c.code for c in evaluation.criteria] == [
        "history",
        "volume",
        "compliance",
        "findings",
        "data_quality",
        "screening",
        "network",
    ]
    compliance = evaluation.criteria[2]
    assert "40 of 40 random exams compliant" in compliance.measured
    assert "interval 91%-100%" in compliance.measured


@pytest.mark.parametrize(
    ("change", "fails"),
    [
        ({"days_of_history": 179}, "history"),
        ({"shipments": 49}, "volume"),
        ({"random_exams": 4}, "compliance"),  # too few exams, however clean
        ({"random_exams": 20, "random_violations": 3}, "compliance"),  # 85 %: bound 64 %
        ({"violations_365d": 2}, "findings"),
        ({"seizures_365d": 1}, "findings"),
        ({"quality_score": 0.84}, "data_quality"),
        ({"quality_score": None, "quality_filings": 0}, "data_quality"),
        ({"screening_score": 0.85, "screening_match": "SHADY CO"}, "screening"),
        ({"network_risk": 0.11}, "network"),
    ],
)
def test_each_criterion_fails_on_its_own(change: dict[str, object], fails: str) -> None:
    evaluation = evaluate(Evidence(**{**CLEAN.__dict__, **change}), load_thresholds())  # type: ignore[arg-type]
    assert evaluation.failed == [fails]


def test_thresholds_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "criteria.toml"
    bad.write_text(Path(repo.__file__).with_name("criteria.toml").read_text() + "extra = 1\n")
    with pytest.raises(ValidationError, match="extra"):
        load_thresholds(str(bad))
    with pytest.raises(ValidationError, match="min_compliance_lower"):
        Thresholds.model_validate({**load_thresholds().model_dump(), "min_compliance_lower": 2})


def _file(web: Web, reference: str, shipper: str) -> int:
    body = shipment(reference, shipper=party(shipper, "GB"))
    response = web.filer.post("/api/v1/shipments", json=body)
    assert response.status_code == 201, response.text
    return web.sid(reference)


def _exam(engine: Engine, sid: int, violation: bool, seize: bool = False) -> None:
    findings = [Finding(finding_type=FindingType.COUNTERFEIT)] if violation else []
    outcome = Outcome(
        exam_type=ExamType.PHYSICAL,
        result=ExamResult.VIOLATION if violation else ExamResult.NO_VIOLATION,
        findings=findings,
        action=Action.SEIZE if seize else Action.RELEASE,
        examined_at=datetime.now(UTC),
        selection=SelectionKind.RANDOM,
        inclusion_probability=0.05,
        msrp_seized=Decimal("80") if seize else None,
        currency="USD" if seize else None,
    )
    with engine.begin() as connection:
        outcomes_repo.record_outcome(connection, sid, outcome, actor="test")


@pytest.fixture
def world(web: Web) -> Web:
    """Six filings per shipper, 200 days of history; the clean one's five random exams
    all compliant, the shady one's four with three counterfeits, one seized."""
    good = [_file(web, f"G-{i}", GOOD) for i in range(6)]
    bad = [_file(web, f"B-{i}", BAD) for i in range(6)]
    for sid in good[:5]:
        _exam(web.engine, sid, violation=False)
    for i, sid in enumerate(bad[:4]):
        _exam(web.engine, sid, violation=i < 3, seize=i == 0)
    with web.engine.begin() as connection:
        connection.execute(
            update(shipments).values(received_at=datetime.now(UTC) - timedelta(days=200))
        )
    return web


def _apply(engine: Engine, name: str) -> repo.Application:
    with engine.begin() as connection:
        return repo.apply(
            connection,
            role="shipper",
            name=name,
            contact="ops@example.com",
            channel="app",
            actor="user:pm",
            country="GB",
        )


def test_criteria_match_the_known_truth_and_decisions_drive_trust(world: Web) -> None:
    good, bad = _apply(world.engine, GOOD), _apply(world.engine, BAD)
    with world.engine.connect() as connection:
        good_eval = repo.evaluation_of(connection, good, SMALL)
        bad_eval = repo.evaluation_of(connection, bad, SMALL)
    assert good_eval.passed, good_eval.criteria
    measured = {c.code: c.measured for c in good_eval.criteria}
    assert measured["volume"] == "6 shipments"
    assert measured["history"].startswith("200 days")
    assert measured["compliance"].startswith("5 of 5 random exams compliant")
    assert bad_eval.failed == ["compliance", "findings"]
    assert {c.code: c.measured for c in bad_eval.criteria}["findings"] == (
        "3 violations, 1 seizures in 365 days"
    )

    with world.engine.begin() as connection:
        repo.decide(
            connection, good.reference, "approve", "clean record", actor="user:pm", thresholds=SMALL
        )
        repo.decide(
            connection,
            bad.reference,
            "deny",
            "counterfeits found",
            actor="user:pm",
            thresholds=SMALL,
        )
    today = datetime.now(UTC).date()
    with world.engine.connect() as connection:
        entries = trusted_repo.list_all(connection)
        trusted_sids = _trusted_sids(connection, today)
    assert [(e.role, e.key, e.source) for e in entries] == [
        ("shipper", "clean parcels ltd", f"programme {good.reference}")
    ]
    assert len(trusted_sids) == 6  # the clean shipper's filings now get the trusted rate

    # A bad decision changes nothing and names the field.
    refused = pytest.raises(repo.ProgrammeError, match="decision: cannot approve")
    with refused, world.engine.begin() as connection:
        repo.decide(
            connection, bad.reference, "approve", "changed my mind", actor="x", thresholds=SMALL
        )
    with pytest.raises(repo.ProgrammeError, match="reason"), world.engine.begin() as connection:
        repo.decide(connection, good.reference, "suspend", "", actor="x", thresholds=SMALL)

    # New violations: re-vetting flags, then suspends, which ends the trust today.
    for sid in [world.sid("G-5")]:
        _exam(world.engine, sid, violation=True, seize=True)
    with world.engine.begin() as connection:
        flagged = repo.revet(connection, SMALL, actor="cli")
    assert [(r.reference, r.action, r.failed) for r in flagged] == [
        (good.reference, "flagged", ["compliance", "findings"])  # 5 of 6: bound 44 % < 50 %
    ]
    with world.engine.begin() as connection:
        suspended = repo.revet(connection, SMALL, actor="cli", suspend=True)
    assert [r.action for r in suspended] == ["suspended"]
    with world.engine.connect() as connection:
        assert repo.get(connection, good.reference).status == "suspended"
        assert _trusted_sids(connection, today) == []
        assert connection.execute(select(trusted_parties.c.valid_to)).scalar() == today.isoformat()
        actions = (
            connection.execute(
                select(audit_log.c.action).where(audit_log.c.entity_id == good.reference)
            )
            .scalars()
            .all()
        )
    assert actions == [
        "programme.apply",
        "programme.approve",
        "programme.revet",
        "programme.suspend",
    ]

    with world.engine.begin() as connection:
        repo.decide(
            connection, good.reference, "reinstate", "remedied", actor="user:pm", thresholds=SMALL
        )
    with world.engine.connect() as connection:
        assert len(_trusted_sids(connection, today)) == 6
        assert [m.name for m in repo.public_members(connection, "clean")] == [GOOD]
        assert repo.public_members(connection, "shady") == []


def _trusted_sids(connection: object, day: date) -> list[int]:
    query = select(shipments.c.id).where(trusted_repo.trusted_clause(day), shipments.c.is_current)
    return list(connection.execute(query).scalars())  # type: ignore[attr-defined]


def test_applications_are_validated_and_not_duplicated(web: Web) -> None:
    with pytest.raises(repo.ProgrammeError, match="role"), web.engine.begin() as connection:
        repo.apply(connection, role="seller", name="X", contact="c", channel="app", actor="a")
    with pytest.raises(repo.ProgrammeError, match="country"), web.engine.begin() as connection:
        repo.apply(
            connection,
            role="shipper",
            name="X",
            contact="c",
            channel="app",
            actor="a",
            country="GBR",
        )
    unknown = pytest.raises(repo.ProgrammeError, match="no filer with code")
    with unknown, web.engine.begin() as connection:
        repo.apply(connection, role="filer", name="NOPE", contact="c", channel="app", actor="a")
    _apply(web.engine, "Repeat Ltd")
    with pytest.raises(repo.ProgrammeError, match="already has application TP-"):
        _apply(web.engine, "REPEAT  ltd")
    with web.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(programme_applications)).scalar()
            == 1
        )


def test_a_filer_applies_through_the_filer_api(web: Web) -> None:
    response = web.filer.post(
        "/api/v1/programme/applications", json={"contact": "trade@acme.example", "country": "US"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    again = web.filer.post("/api/v1/programme/applications", json={"contact": "x"})
    assert again.status_code == 409
    assert "already has application" in again.text
    bad = web.filer.post("/api/v1/programme/applications", json={"contact": ""})
    assert bad.status_code == 422
    listed = web.filer.get("/api/v1/programme/applications").json()
    assert [a["reference"] for a in listed] == [response.json()["reference"]]
    assert set(listed[0]) == {"reference", "status", "submitted_at", "member_since"}
    anonymous = TestClient(web.filer.app)
    assert anonymous.get("/api/v1/programme/applications").status_code == 401
