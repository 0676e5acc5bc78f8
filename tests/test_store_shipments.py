"""Idempotent, versioned shipment writes, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import Engine, func, select

from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ManifestFiling, PostalItemFiling, ShipmentFiling
from ecomrisk.store import filers_repo
from ecomrisk.store.manifests_repo import ManifestReceipt, write_manifest
from ecomrisk.store.schema import manifest_house_bills, parties, postal_items, shipments
from ecomrisk.store.shipments_query import list_current, scorecard, shipment_view
from ecomrisk.store.shipments_repo import (
    Receipt,
    Rejection,
    Submission,
    cancel_shipment,
    ingest_chunk,
)
from tests.samples import manifest, postal_item, shipment

PROFILE = load_profile("US-2019")


@pytest.fixture
def filer_id(store: Engine) -> int:
    with store.begin() as connection:
        filer, _ = filers_repo.create_filer(
            connection, code="ACME", name="Acme", filer_type=FilerType.MARKETPLACE, actor="t"
        )
    return filer.id


def _file(store: Engine, filer_id: int, *subs: Submission) -> list[Receipt | Rejection]:
    return ingest_chunk(store, filer_id, list(subs), profile=PROFILE, actor="test")


def _sub(data: dict, amend: bool = False) -> Submission:
    return Submission(ShipmentFiling.model_validate(data), amend=amend)


def _count(store: Engine, table=shipments) -> int:  # type: ignore[no-untyped-def]
    with store.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_identical_resubmission_returns_original_receipt(store: Engine, filer_id: int) -> None:
    body = shipment()
    [first] = _file(store, filer_id, _sub(body))
    [again] = _file(store, filer_id, _sub(body))
    assert isinstance(first, Receipt)
    assert isinstance(again, Receipt)
    assert not first.replayed
    assert again.replayed
    assert (again.version, again.content_hash, again.shipment_id) == (
        1,
        first.content_hash,
        first.shipment_id,
    )
    assert _count(store) == 1


def test_same_meaning_hashes_the_same(store: Engine, filer_id: int) -> None:
    body = shipment()
    _file(store, filer_id, _sub(body))  # first filing
    reformatted = dict(body, items=[dict(body["items"][0], value="59.9000", hs_code="6404112000")])
    [again] = _file(store, filer_id, _sub(reformatted))
    assert isinstance(again, Receipt)
    assert again.replayed


def test_different_content_is_a_conflict_unless_amended(store: Engine, filer_id: int) -> None:
    _file(store, filer_id, _sub(shipment()))
    changed = shipment(port_of_arrival="USLAX")
    [conflict] = _file(store, filer_id, _sub(changed))
    assert isinstance(conflict, Rejection)
    assert conflict.kind == "conflict"
    [amended] = _file(store, filer_id, _sub(changed, amend=True))
    assert isinstance(amended, Receipt)
    assert amended.version == 2
    [retried] = _file(store, filer_id, _sub(changed, amend=True))
    assert isinstance(retried, Receipt)
    assert retried.replayed
    assert retried.version == 2
    with store.connect() as connection:
        view = shipment_view(connection, filer_id, "REF-1")
    assert view is not None
    assert [v.version for v in view.versions] == [1, 2]
    assert [v.is_current for v in view.versions] == [False, True]
    assert view.filing["port_of_arrival"] == "USLAX"


def test_amending_unknown_reference_is_not_found(store: Engine, filer_id: int) -> None:
    [result] = _file(store, filer_id, _sub(shipment(), amend=True))
    assert isinstance(result, Rejection)
    assert result.kind == "not_found"


def test_cancel_adds_a_version_and_is_idempotent(store: Engine, filer_id: int) -> None:
    _file(store, filer_id, _sub(shipment()))
    with store.begin() as connection:
        first = cancel_shipment(connection, filer_id, "REF-1", actor="t")
    with store.begin() as connection:
        again = cancel_shipment(connection, filer_id, "REF-1", actor="t")
    assert isinstance(first, Receipt)
    assert isinstance(again, Receipt)
    assert (first.version, first.status, first.replayed) == (2, "cancelled", False)
    assert again.replayed
    assert again.version == 2
    [after] = _file(store, filer_id, _sub(shipment(port_of_arrival="USLAX"), amend=True))
    assert isinstance(after, Rejection)
    assert after.kind == "conflict"


def test_batch_with_repeats_and_amendments_in_one_chunk(store: Engine, filer_id: int) -> None:
    a, b = shipment("A"), shipment("B")
    results = _file(
        store,
        filer_id,
        _sub(a),
        _sub(b),
        _sub(a),
        _sub(shipment("A", port_of_arrival="USLAX"), amend=True),
    )
    assert [type(r).__name__ for r in results] == ["Receipt"] * 4
    assert [r.version for r in results if isinstance(r, Receipt)] == [1, 1, 1, 2]
    assert results[2].replayed  # type: ignore[union-attr]
    with store.connect() as connection:
        current = list_current(connection, filer_id, limit=10, before_id=None)
    assert sorted((s.filer_reference, s.version) for s in current) == [("A", 2), ("B", 1)]


def test_parties_are_stored_raw_and_normalised(store: Engine, filer_id: int) -> None:
    _file(store, filer_id, _sub(shipment()))
    with store.connect() as connection:
        row = connection.execute(select(parties).where(parties.c.role == "consignee")).one()
    assert row.name == "Jöhn  Smith"
    assert row.name_norm == "john smith"
    assert row.phone_norm == "+12025550143"
    assert row.email_norm == "jsmith@gmail.com"
    assert row.address_norm == "12 main street unit 4b | springfield | US"


def test_postal_item_becomes_a_mail_shipment(store: Engine, filer_id: int) -> None:
    postal = PostalItemFiling.model_validate(postal_item())
    [receipt] = _file(store, filer_id, Submission.of_postal(postal))
    assert isinstance(receipt, Receipt)
    with store.connect() as connection:
        ship = connection.execute(select(shipments)).one()
        item = connection.execute(select(postal_items)).one()
    assert ship.mode == "mail"
    assert item.item_id == postal.item_id


def test_late_truck_manifest_is_accepted_and_flagged(store: Engine, filer_id: int) -> None:
    with store.begin() as connection:
        late = write_manifest(
            connection,
            filer_id,
            ManifestFiling.model_validate(manifest(hours=0.5)),
            amend=False,
            profile=PROFILE,
            actor="t",
        )
        on_time = write_manifest(
            connection,
            filer_id,
            ManifestFiling.model_validate(manifest("MAN-2", hours=3)),
            amend=False,
            profile=PROFILE,
            actor="t",
        )
    assert isinstance(late, ManifestReceipt)
    assert not late.on_time
    assert late.warnings
    assert isinstance(on_time, ManifestReceipt)
    assert on_time.on_time
    assert not on_time.warnings
    assert _count(store, manifest_house_bills) == 4


def test_scorecard_counts_filings(store: Engine, filer_id: int) -> None:
    from datetime import date, timedelta

    _file(store, filer_id, _sub(shipment("A")), _sub(shipment("B", seller=None)))
    with store.connect() as connection:
        card = scorecard(connection, filer_id, since=date.today() - timedelta(days=1))
    assert card.filings == 2
    assert ("seller_missing", 1) in card.common_reasons
