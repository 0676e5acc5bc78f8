"""Entity resolution on a small synthetic world filed through the real ingestion path:
quality against the ground truth, stable ids, filing-time links equal to a batch
re-run, explanations, and the network features on decisions."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from ecomrisk.risk.network.build import build
from ecomrisk.risk.network.explore import expand, explain_entity, explain_link, show_network
from ecomrisk.risk.network.quality import evaluate
from ecomrisk.risk.network.resolve import resolve
from ecomrisk.store.schema import decisions, entity_records, networks, parties
from tests.network.conftest import FileWorld, history


def _entities(store: Engine) -> dict[int, str | None]:
    with store.connect() as connection:
        return dict(connection.execute(select(parties.c.id, parties.c.entity_id)).all())


def _partition(assignment: dict[int, str | None]) -> set[frozenset[int]]:
    groups: dict[str | None, set[int]] = {}
    for party, entity in assignment.items():
        groups.setdefault(entity, set()).add(party)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.slow
def test_filing_time_links_equal_a_batch_rerun_and_ids_stay(
    store: Engine, file_world: FileWorld, world: Path
) -> None:
    assert file_world(0.0, 0.6) > 0
    first = resolve(store)
    assert first.trained
    assert first.entities < first.records
    before = _entities(store)
    assert all(before.values())
    # Entity ids are "E" + the entity's oldest party record.
    for party, entity in before.items():
        assert entity is not None
        assert int(entity[1:]) <= party

    # The rest of the world arrives: each filing's parties are linked as it is decided.
    assert file_world(0.6, 1.0) > 0
    incremental = _entities(store)
    new = {p: e for p, e in incremental.items() if p not in before}
    assert new
    assert all(new.values())
    assert any(e in set(before.values()) for e in new.values())  # linked to known entities

    again = resolve(store, retrain=False)  # same model: the batch must agree exactly
    assert not again.trained
    batch = _entities(store)
    assert batch == incremental
    assert again.changed == 0

    # A fresh estimate on all the data keeps the ids of entities that stay whole.
    resolve(store)
    rerun = _entities(store)
    kept = sum(rerun[p] == e for p, e in batch.items())
    assert kept / len(batch) > 0.99

    with store.connect() as connection:
        quality = evaluate(connection, world)
    assert quality.unresolved == 0
    assert quality.resolution.f1 >= 0.95, quality.as_dict()


@pytest.mark.slow
def test_explanations_and_network_features(
    sqlite_engine: Engine, file_world_sqlite: FileWorld, world: Path
) -> None:
    store, file_world = sqlite_engine, file_world_sqlite
    file_world(0.0, 0.5)
    history(store, world)
    resolve(store)
    report = build(store)
    assert report.seeds > 0
    assert report.networks > 0
    with store.connect() as connection:
        multi = (
            connection.execute(
                select(entity_records.c.entity_id)
                .group_by(entity_records.c.entity_id)
                .having(func.count() > 1)
                .order_by(entity_records.c.entity_id)
            )
            .scalars()
            .all()
        )
        assert multi
        explained = explain_entity(connection, multi[0])
        assert len(explained["records"]) >= 2
        assert len(explained["links"]) == len(explained["records"]) - 1
        for link in explained["links"]:
            assert link["kind"] in ("deterministic", "probabilistic")
            if link["kind"] == "probabilistic":
                assert {f["field"] for f in link["detail"]["fields"]} >= {"name", "phone"}
        a, b = (
            connection.execute(select(parties.c.id).where(parties.c.entity_id == multi[0]).limit(2))
            .scalars()
            .all()
        )
        link = explain_link(connection, a, b)
        assert link["entities"] == [multi[0], multi[0]]
        assert sum(f["weight"] for f in link["fields"]) > 0

        top = connection.execute(select(networks).order_by(networks.c.risk.desc())).first()
        assert top is not None
        shown = show_network(connection, top.id)
        assert shown["entities"] >= 2
        assert shown["members"]
        entity = next(m["node"] for m in shown["members"] if m["kind"] == "entity")
        expanded = expand(connection, entity)
        assert expanded["network"] == top.id
        assert {n["kind"] for n in expanded["neighbours"]} >= {"shipment"}

    # New filings are decided with the network features of what their parties link to.
    file_world(0.5, 1.0)
    with store.connect() as connection:
        rows = connection.execute(
            select(decisions.c.features, decisions.c.reasons, decisions.c.versions)
            .where(decisions.c.kind == "live")
            .order_by(decisions.c.id.desc())
            .limit(300)
        ).all()
    assert all("network_risk" in r.features and "network_size" in r.features for r in rows)
    assert all(r.versions["network"].startswith("er-v1:model-") for r in rows)
    risky = [r for r in rows if r.features["network_risk"] > 0.05]
    assert risky
    assert any(reason["kind"] == "network" for r in risky for reason in r.reasons)
