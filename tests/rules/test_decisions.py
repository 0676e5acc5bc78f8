"""Decisions: made from the live rule set, shadowed, stored with what made them, reproduced."""

import gc
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from ecomrisk import audit
from ecomrisk.domain.enums import Lane
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.engines.batch import BatchEngine
from ecomrisk.features.matrix import FeatureContext
from ecomrisk.features.shipment import UnitValue
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.context import decision_context
from ecomrisk.risk.decide import DecisionContext, decide_version
from ecomrisk.risk.explain import explain
from ecomrisk.settings import Settings
from ecomrisk.store.schema import decisions
from ecomrisk.store.shipments_repo import read_written
from tests.histories import T0, History

STRICT = """\
name: strict
version: 1
rules:
  - id: any-gift
    description: Any gift
    owner: t
    rationale: t
    weight: 0.9
    lane: hold
    when: {feature: description_vague, eq: true}
"""


def context() -> DecisionContext:
    return DecisionContext(
        FeatureContext(load_profile("US-2019"), bundled_rates(), {"610910": UnitValue(10.0, 0.2)}),
        refresh_seconds=0,  # a promotion takes effect at once
    )


def file_and_decide(history: History, ctx: DecisionContext, ref: str, **kwargs: object) -> int:
    sid = history.file(ref, received=T0 + timedelta(minutes=len(history.versions)), **kwargs)  # type: ignore[arg-type]
    with history.engine.begin() as connection:
        # History records the event
        decide_version(connection, read_written(connection, [sid])[0], ctx)
    return sid


def test_default_rules_decide_and_the_decision_reproduces(store: Engine) -> None:
    history, ctx = History(store), context()
    sid = file_and_decide(history, ctx, "a", value="1", description="gift")
    with store.connect() as connection:
        row = connection.execute(select(decisions).where(decisions.c.shipment_id == sid)).one()
        assert row.kind == "live"
        assert row.ruleset == "default@1"
        assert {r["code"] for r in row.reasons} >= {"undervalued", "vague-description"}
        assert row.lane == Lane.DOCUMENT_REVIEW
        assert row.features["value_to_reference_min"] == 0.1
        result = explain(connection, row.id)
    assert result.reproduced
    assert result.stored.versions["profile"] == "US-2019"
    assert audit.verify(store).ok  # publishing the default was audited


def test_shadow_rules_are_stored_beside_and_promotion_takes_over(store: Engine) -> None:
    history, ctx = History(store), context()
    with store.begin() as connection:
        rulesets_repo.ensure_live(connection)
        rulesets_repo.publish(connection, STRICT, "analyst")
        rulesets_repo.set_status(connection, "strict@1", "shadow", "analyst")
    sid = file_and_decide(history, ctx, "a", description="gift")
    with store.connect() as connection:
        rows = connection.execute(
            select(decisions.c.kind, decisions.c.lane, decisions.c.ruleset)
            .where(decisions.c.shipment_id == sid)
            .order_by(decisions.c.kind)
        ).all()
    assert [(r.kind, r.ruleset, r.lane) for r in rows] == [
        ("live", "default@1", "document_review"),
        ("shadow", "strict@1", "hold"),
    ]
    with store.begin() as connection:
        rulesets_repo.set_status(connection, "strict@1", "live", "analyst")
    later = file_and_decide(history, ctx, "b", description="gift")
    with store.connect() as connection:
        lane = connection.execute(
            select(decisions.c.lane).where(
                decisions.c.shipment_id == later, decisions.c.kind == "live"
            )
        ).scalar_one()
    assert lane == "hold"


def test_batch_rescoring_reproduces_the_online_decisions(
    store: Engine, engine: BatchEngine
) -> None:
    from ecomrisk.risk.rescore import rescore

    history, ctx = History(store), context()
    sids = [
        file_and_decide(history, ctx, f"s{i}", value=str(v), description=d)
        for i, (v, d) in enumerate(
            [("1", "gift"), ("9", "cotton t-shirt"), ("500", "gift"), ("2", "parts")]
        )
    ]
    assert rescore(store, ctx.features, batch=engine) == 4
    with store.connect() as connection:
        rows = connection.execute(
            select(
                decisions.c.shipment_id,
                decisions.c.score,
                decisions.c.lane,
                decisions.c.reasons,
                decisions.c.features,
            )
            .where(decisions.c.kind == "live")
            .order_by(decisions.c.id)
        ).all()
    online, batch = rows[:4], rows[4:]
    assert [r.shipment_id for r in batch] == sids
    for a, b in zip(online, batch, strict=True):
        assert (a.shipment_id, a.lane, a.reasons) == (b.shipment_id, b.lane, b.reasons)
        assert a.score == b.score
        assert a.features == b.features


def test_rescoring_gives_the_garbage_collector_back_even_when_it_fails(store: Engine) -> None:
    """Rescoring pauses the cyclic collector for its run; it must be running again
    afterwards, after a failure part way too, or the whole process would go without."""
    from ecomrisk.risk.rescore import rescore

    history, ctx = History(store), context()
    for i in range(3):
        file_and_decide(history, ctx, f"g{i}")

    def fail(done: int, total: int) -> None:
        assert not gc.isenabled()  # paused while the run goes on
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        rescore(store, ctx.features, progress=fail, chunk_rows=1)
    assert gc.isenabled()
    assert rescore(store, ctx.features) > 0
    assert gc.isenabled()


def test_the_matrix_reads_stored_filing_features_only_on_its_own_basis(store: Engine) -> None:
    """Per-filing features stored at ingest are what batch reads; stored on another
    basis (another FX table, say) they are computed again, to the same numbers here."""
    from sqlalchemy import update

    from ecomrisk.features.matrix import feature_rows
    from ecomrisk.store.schema import filing_features

    history, ctx = History(store), context()
    for i, (value, description) in enumerate([("1", "gift"), ("9", "cotton t-shirt")]):
        file_and_decide(history, ctx, f"m{i}", value=value, description=description)
    with store.connect() as connection:
        stored = connection.execute(select(filing_features.c.basis)).scalars().all()
    assert stored == [ctx.features.basis] * 2
    cached = feature_rows(store, ctx.features)
    with store.begin() as connection:  # a stored value that would show if it were used
        connection.execute(
            update(filing_features).values(basis="other", features={"declared_value": -1.0})
        )
    computed = feature_rows(store, ctx.features)
    assert computed == cached
    assert [row["declared_value"] for row in computed] == [1.0, 9.0]


def test_the_refresh_setting_governs_rules_models_and_network(store: Engine) -> None:
    """``decision_refresh_seconds`` reaches every cache of the decider: a new rule set,
    model and network build all take effect within it (the network's context once
    kept its own second, and tests that built then filed at once saw no network)."""
    url = store.url.render_as_string(hide_password=False)
    ctx = decision_context(store, Settings(database_url=url, decision_refresh_seconds=0.25))
    assert ctx.refresh_seconds == 0.25
    assert ctx.models.refresh_seconds == 0.25
    assert ctx.network.refresh_seconds == 0.25
