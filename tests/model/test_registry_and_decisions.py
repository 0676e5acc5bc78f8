"""Model versions in the store, and decisions made with them, on SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ecomrisk import audit
from ecomrisk.api import create_app
from ecomrisk.domain.enums import FilerType, Lane, Role
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.explain import explain
from ecomrisk.risk.model import registry
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.assessment import ModelAssessment, combine
from ecomrisk.risk.model.training import train
from ecomrisk.risk.rescore import rescore
from ecomrisk.settings import Settings
from ecomrisk.store import filers_repo, users_repo
from ecomrisk.store.schema import audit_log, decisions
from tests.model.simulated import simulated_examples
from tests.model.store_history import Filings
from tests.samples import shipment

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def trained() -> tuple[bytes, bytes]:
    """Two real models (different seeds) over features a filing has."""
    examples = simulated_examples(800, seed=7)
    return train(examples, seed=1)[0].to_bytes(), train(examples, seed=2)[0].to_bytes()


def _register(store: Engine, artifact: bytes) -> str:
    with store.begin() as connection:
        return registry.register(connection, artifact, {"window": {"filed_from": "x"}}, "ana")


def test_promote_shadow_and_rollback_walk_back_through_history(
    store: Engine, trained: tuple[bytes, bytes]
) -> None:
    first, second = _register(store, trained[0]), _register(store, trained[1])
    third = _register(store, trained[0])
    assert (first, second, third) == ("risk@1", "risk@2", "risk@3")
    with store.begin() as connection:
        with pytest.raises(registry.ModelRegistryError, match="nothing to roll back"):
            registry.rollback(connection, "ana")
        for label in (first, second, third):
            registry.set_status(connection, label, "live", "ana")
        assert [m.status for m in registry.listing(connection)] == ["retired", "retired", "live"]
        assert registry.rollback(connection, "ana") == ("risk@3", "risk@2")
        assert registry.rollback(connection, "ana") == ("risk@2", "risk@1")
        with pytest.raises(registry.ModelRegistryError, match="first model that was live"):
            registry.rollback(connection, "ana")
        registry.set_status(connection, third, "shadow", "ana")
        assert {m.label: m.status for m in registry.listing(connection)} == {
            "risk@1": "live",
            "risk@2": "retired",
            "risk@3": "shadow",
        }
        assert registry.load(connection, "risk@2").artifact == trained[1]
        with pytest.raises(registry.ModelNotFoundError, match="no model risk@9"):
            registry.set_status(connection, "risk@9", "live", "ana")
        with pytest.raises(registry.ModelRegistryError, match="NAME@VERSION"):
            registry.load(connection, "risk@x")
        actions = connection.execute(
            select(audit_log.c.action).where(audit_log.c.entity == "model")
        ).scalars()
        assert list(actions).count("rollback") == 2
    assert audit.verify(store).ok


def test_a_live_model_decides_explains_and_reproduces(
    store: Engine, trained: tuple[bytes, bytes]
) -> None:
    filings = Filings(store)
    before = filings.file("R", T0)  # no model yet: rules alone
    live, candidate = _register(store, trained[0]), _register(store, trained[1])
    with store.begin() as connection:
        registry.set_status(connection, live, "live", "ana")
        registry.set_status(connection, candidate, "shadow", "ana")
    sid = filings.file("M", T0, items=[{**shipment()["items"][0], "value": "0.50"}])
    with store.connect() as connection:
        rows = connection.execute(
            select(decisions).where(decisions.c.shipment_id.in_([before, sid]))
        ).all()
        by = {(r.shipment_id, r.kind): r for r in rows}
        assert "model" not in by[(before, "live")].versions
        decided = by[(sid, "live")]
        assert decided.versions["model"] == "risk@1"
        assert by[(sid, "shadow")].versions["model"] == "risk@2"
        model_reasons = [r for r in decided.reasons if r["kind"] == "model"]
        assert model_reasons[0]["code"] == "model:score"
        assert "risk model risk@1: probability of a violation" in model_reasons[0]["text"]
        words = [r["text"] for r in model_reasons if r["code"] == "model:value_to_reference_min"]
        assert words
        assert words[0].startswith("declared value per unit is ")
        assert "of the reference value for HS chapter 64 (+" in words[0]
        model = TrainedModel.from_bytes(trained[0], "risk@1")
        assessed = model.assess(decided.features)
        assert decided.score >= assessed.probability
        # Stored beside the features for targeting: p, and revenue if there is a violation.
        assert "model_probability" not in by[(before, "live")].features
        assert decided.features["model_probability"] == assessed.probability
        revenue = decided.features["model_revenue_at_risk"] * assessed.probability
        assert revenue == pytest.approx(assessed.expected_revenue)
        shadow_p = TrainedModel.from_bytes(trained[1], "risk@2").assess(decided.features)
        assert by[(sid, "shadow")].features["model_probability"] == shadow_p.probability
        for row in (decided, by[(sid, "shadow")]):
            result = explain(connection, row.id)
            assert result.reproduced
            assert result.recomputed.reasons == result.stored.reasons
    # Batch rescoring uses the live model too, and what it decides reproduces.
    assert rescore(store, feature_context(store, Settings())) == 2
    with store.connect() as connection:
        again = connection.execute(
            select(decisions).where(decisions.c.shipment_id == sid).order_by(decisions.c.id.desc())
        ).first()
        assert again is not None
        assert again.versions["model"] == "risk@1"
        assert again.versions["run"] == "rescore"
        assert explain(connection, again.id).reproduced


def test_the_model_raises_a_release_and_never_lowers_a_lane() -> None:
    assessment = ModelAssessment("risk@1", 0.62, 3.0, [])
    score, lane, reasons = combine(0.1, Lane.RELEASE, assessment)
    assert (score, lane) == (0.62, Lane.DOCUMENT_REVIEW)
    assert "release raised to document review" in reasons[0].text
    assert combine(0.1, Lane.RELEASE, ModelAssessment("risk@1", 0.85, 3.0, []))[1] is Lane.SCAN
    assert combine(0.9, Lane.HOLD, assessment)[:2] == (0.9, Lane.HOLD)
    assert combine(0.1, Lane.RELEASE, ModelAssessment("risk@1", 0.3, 3.0, []))[1] is Lane.RELEASE


def test_fast_scoring_agrees_with_the_booster(trained: tuple[bytes, bytes]) -> None:
    model = TrainedModel.from_bytes(trained[0], "risk@1")
    rows = [e.features for e in simulated_examples(200, seed=9)] + [{"mode": "truck"}, {}]
    assert model.raw(rows) == pytest.approx(model.classifier.predict(model.frame(rows)), abs=1e-7)
    assert model.assess_many(rows[:20]) == [model.assess(row) for row in rows[:20]]


@pytest.fixture
def client(store: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_key_cache_seconds=0), engine=store)) as test_client:
        yield test_client


def test_model_routes_list_show_promote_and_roll_back(
    store: Engine, client: TestClient, trained: tuple[bytes, bytes]
) -> None:
    with store.begin() as connection:
        tokens = {}
        for name, role in (("ana", Role.ANALYST), ("olga", Role.OFFICER)):
            user = users_repo.create_user(
                connection, username=name, display_name=name, roles={role}, actor="t"
            )
            tokens[name] = {
                "Authorization": f"Bearer {users_repo.issue_token(connection, user, actor='t').key}"
            }
        _, key = filers_repo.create_filer(
            connection, code="F", name="F", filer_type=FilerType.BROKER, actor="t"
        )
    first, second = _register(store, trained[0]), _register(store, trained[1])
    ana = tokens["ana"]
    assert client.get("/internal/v1/models", headers=tokens["olga"]).status_code == 403
    listed = client.get("/internal/v1/models", headers=ana).json()
    assert [(m["label"], m["status"]) for m in listed] == [("risk@1", "draft"), ("risk@2", "draft")]
    shown = client.get(f"/internal/v1/models/{first}", headers=ana).json()
    assert shown["details"]["window"] == {"filed_from": "x"}
    assert shown["artifact_bytes"] > 0
    assert client.get("/internal/v1/models/risk@7", headers=ana).status_code == 404
    bad = client.post(f"/internal/v1/models/{first}/status", json={"status": "on"}, headers=ana)
    assert bad.status_code == 422
    assert "status" in bad.text
    for label in (first, second):
        done = client.post(
            f"/internal/v1/models/{label}/status", json={"status": "live"}, headers=ana
        )
        assert done.json()["status"] == "live"
    back = client.post("/internal/v1/models/rollback", headers=ana)
    assert back.json() == {"retired": "risk@2", "live": "risk@1"}
    again = client.post("/internal/v1/models/rollback", headers=ana)
    assert again.status_code == 409
    assert "nothing to roll back" in again.json()["detail"]
    # A filing through the filer API is decided with the live model.
    filed = client.post("/api/v1/shipments", json=shipment("API-1"), headers={"X-API-Key": key.key})
    assert filed.status_code == 201
    with store.connect() as connection:
        row = connection.execute(
            select(decisions).where(decisions.c.kind == "live").order_by(decisions.c.id.desc())
        ).first()
    assert row is not None
    assert row.versions["model"] == "risk@1"


@pytest.mark.parametrize("label", ["risk@²", "risk@1²", "³", "risk@", "@2", "risk@1234567890"])
def test_a_label_that_is_not_name_at_number_is_refused(label: str) -> None:
    # Found by the API fuzzer: '²' passes str.isdigit() but not int().
    from ecomrisk.risk.model.registry import ModelRegistryError, split_label

    with pytest.raises(ModelRegistryError, match="NAME@VERSION"):
        split_label(label)
