"""Entity-history features on hand-built histories: window edges, time zones,
amendments, cancellations, outcomes; and the same numbers online and in batch."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine
from ecomrisk.features.batch import batch_history_features
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.definitions import Ever, Rolling, SameCustomsDay, ShipmentAggregate
from ecomrisk.features.online import _online_sql, history_features
from tests.histories import T0, US_DAY_OFFSET_S, History


@pytest.fixture
def history(store: Engine) -> History:
    return History(store)


def test_value_today_sums_the_customs_day_in_the_jurisdiction_time(history: History) -> None:
    # US customs day = UTC-5: 2026-03-03 04:59 UTC is still 2 March there; 05:00 is not.
    day = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    history.file("a", received=T0 - timedelta(hours=5), arrival=day, value="300")
    history.file(
        "b",
        received=T0 - timedelta(hours=4),
        arrival=day + timedelta(hours=18, minutes=59),
        value="250",
    )
    history.file(
        "c", received=T0 - timedelta(hours=3), arrival=day + timedelta(hours=19), value="999"
    )
    target = history.file("d", received=T0, arrival=day + timedelta(hours=2), value="200")
    values = history.features(target)
    assert values["consignee_value_today"] == pytest.approx(750)
    assert values["address_shipments_today"] == 3


def test_other_currencies_are_converted(history: History) -> None:
    history.file("a", received=T0 - timedelta(hours=1), arrival=T0, value="100", currency="EUR")
    target = history.file("b", received=T0, arrival=T0, value="0")
    assert history.features(target)["consignee_value_today"] == pytest.approx(103.5)


def test_amendments_count_once_in_the_version_current_then(history: History) -> None:
    history.file("a", received=T0 - timedelta(hours=3), arrival=T0, value="100")
    between = history.file("b", received=T0 - timedelta(hours=2), arrival=T0, value="10")
    history.file("a", received=T0 - timedelta(hours=1), arrival=T0, value="300")  # amendment
    after = history.file("c", received=T0, arrival=T0, value="1")
    assert history.features(between)["consignee_value_today"] == pytest.approx(110)
    assert history.features(after)["consignee_value_today"] == pytest.approx(311)
    # Recomputing the earlier filing later gives the same answer: point in time.
    assert history.features(between)["consignee_value_today"] == pytest.approx(110)


def test_cancelled_shipments_drop_out_after_their_cancellation(history: History) -> None:
    history.file("a", received=T0 - timedelta(hours=3), arrival=T0, value="100")
    before = history.file("b", received=T0 - timedelta(hours=2), arrival=T0, value="1")
    history.file("a", received=T0 - timedelta(hours=1), arrival=T0, value="100", status="cancelled")
    after = history.file("c", received=T0, arrival=T0, value="1")
    assert history.features(before)["consignee_value_today"] == pytest.approx(101)
    assert history.features(after)["consignee_value_today"] == pytest.approx(2)


def test_rolling_window_edges_and_first_seen(history: History) -> None:
    first = history.file("old", received=T0 - timedelta(days=30, seconds=1))
    history.file("edge", received=T0 - timedelta(days=30))
    target = history.file("new", received=T0)
    assert history.features(first)["shipper_history_count"] == 0  # first seen
    values = history.features(target)
    assert values["phone_shipments_30d"] == 2  # the 30-day edge is inside, one second more is out
    assert values["shipper_history_count"] == 2


def test_distinct_consignees_at_an_address(history: History) -> None:
    for i, name in enumerate(["ann lee", "a lee", "bob ray", "ann lee"]):
        history.file(f"s{i}", received=T0 + timedelta(minutes=i), consignee=name)
    target = history.file("t", received=T0 + timedelta(hours=1), consignee="carl x")
    assert history.features(target)["address_distinct_consignees_30d"] == 4


def test_missing_key_gives_zero(history: History) -> None:
    history.file("a", received=T0 - timedelta(hours=1), phone=None)
    target = history.file("b", received=T0, phone=None)
    assert history.features(target)["phone_shipments_30d"] == 0


def test_outcomes_count_only_once_recorded_before_the_filing(history: History) -> None:
    seized = history.file("a", received=T0 - timedelta(days=10))
    history.outcome(seized, recorded=T0 - timedelta(days=9), violation=True, seize=True)
    clean = history.file("b", received=T0 - timedelta(days=8))
    history.outcome(clean, recorded=T0 - timedelta(days=7), violation=False, seize=False)
    target = history.file("c", received=T0)
    later = history.file("d", received=T0 + timedelta(days=200))
    values = history.features(target)
    assert values["address_seizures_180d"] == 1
    assert values["shipper_violations_365d"] == 1
    assert history.features(later)["address_seizures_180d"] == 0
    assert history.features(later)["shipper_violations_365d"] == 1


def test_batch_gives_the_online_numbers_on_every_engine(
    history: History, engine: BatchEngine
) -> None:
    """Parity: a random-ish history, every feature of every version, online and in
    batch on each batch engine (so the engines agree with each other too)."""
    import random

    rng = random.Random(7)
    sids = []
    for i in range(60):
        ref = f"r{rng.randint(0, 40)}"
        sids.append(
            history.file(
                ref,
                received=T0 + timedelta(hours=i * 3 + rng.randint(0, 2)),
                arrival=T0 + timedelta(hours=i * 3 + rng.randint(0, 30)),
                value=str(rng.randint(1, 900)),
                consignee=rng.choice(["ann", "bob", "cy"]),
                address=rng.choice(["addr1", "addr2", None]),
                phone=rng.choice(["+1555", "+1666", None]),
                shipper=rng.choice(["s1", "s2"]),
                status=rng.choice(["active"] * 9 + ["cancelled"]),
            )
        )
        if rng.random() < 0.2:
            history.outcome(
                sids[-1],
                recorded=T0 + timedelta(hours=i * 3 + 1),
                violation=rng.random() < 0.5,
                seize=rng.random() < 0.3,
            )
    batch = batch_history_features(history.engine, US_DAY_OFFSET_S, batch=engine).to_pylist()
    assert [row["sid"] for row in batch] == sorted(sids)
    for row in batch:
        online = history.features(row["sid"])
        for name, value in online.items():
            assert float(row[name]) == pytest.approx(value), (row["sid"], name)


def test_batch_running_counts_match_online_with_ties_and_versions_out_of_order(
    history: History, engine: BatchEngine
) -> None:
    """The batch path counts first-seen history as running sums per key: same numbers
    as the online subqueries when filings share a second, amendments arrive with an
    earlier time than the version they supersede, and amendments change the key."""
    import random

    rng = random.Random(11)
    for _ in range(50):
        history.file(
            f"r{rng.randint(0, 12)}",
            received=T0 + timedelta(minutes=rng.choice([0, 0, 5, 5, 10, 60])),
            address=rng.choice(["addr1", "addr2", None]),
            shipper=rng.choice(["s1", "s1", "s2"]),
            status=rng.choice(["active"] * 5 + ["cancelled"]),
        )
    batch = batch_history_features(history.engine, US_DAY_OFFSET_S, batch=engine).to_pylist()
    # Every feature: the same-day sums and counts take off the filing's own shipment's
    # versions still current at t too, which only out-of-order versions leave.
    for row in batch:
        online = history.features(row["sid"])
        for name, value in online.items():
            assert float(row[name]) == pytest.approx(value), (row["sid"], name)
    assert any(row["shipper_history_count"] > 0 for row in batch)


def test_batch_distinct_counts_match_online_at_the_window_edges(
    history: History, engine: BatchEngine
) -> None:
    """Distinct consignees at an address are running counts per name in batch (no
    subquery): the same numbers as online where a name sits on the 30-day edge or one
    second past it, repeats, is amended away, cancelled, ties the filing's second, is
    the filing's own, and where an out-of-order amendment leaves a name that counts
    only through the filing's own shipment (online never counts one's own shipment)."""
    day = timedelta(days=1)
    sids = {
        "out": history.file("out", received=T0 - 30 * day - timedelta(seconds=1), consignee="ann"),
        "edge": history.file("edge", received=T0 - 30 * day, consignee="bob"),
        "mid": history.file("mid", received=T0 - 10 * day, consignee="cy"),
        "mid2": history.file("mid", received=T0 - 5 * day, consignee="dan"),  # cy amended away
        "cx": history.file("cx", received=T0 - 2 * day, consignee="eve"),
        "cx2": history.file("cx", received=T0 - day, consignee="eve", status="cancelled"),
        "dup": history.file("dup", received=T0 - day, consignee="bob"),
        "tie": history.file("tie", received=T0, consignee="fay"),  # same second, stored first
        "target": history.file("target", received=T0, consignee="bob"),
        # An amendment filed with an earlier time than the version it supersedes: at the
        # first version, "hal" is current only through the filing's own shipment.
        "ooo": history.file("ooo", received=T0 + timedelta(hours=1), consignee="gus"),
        "ooo2": history.file("ooo", received=T0 + timedelta(minutes=30), consignee="hal"),
        "later": history.file("later", received=T0 + timedelta(hours=2), consignee="ivy"),
        # 30 days after "dup": it is on the edge, then one second past it.
        "late": history.file("late", received=T0 + 29 * day, consignee="zed"),
        "gone": history.file("gone", received=T0 + 29 * day + timedelta(seconds=1), consignee="x"),
        "gone2": history.file(
            "gone2", received=T0 + 30 * day + timedelta(seconds=1), consignee="x"
        ),
    }
    batch = batch_history_features(history.engine, US_DAY_OFFSET_S, batch=engine).to_pylist()
    by_sid = {row["sid"]: row["address_distinct_consignees_30d"] for row in batch}
    online = {sid: history.features(sid)["address_distinct_consignees_30d"] for sid in by_sid}
    assert by_sid == pytest.approx(online)
    distinct = {name: by_sid[sid] for name, sid in sids.items()}
    assert distinct["target"] == 3  # dan, fay and bob itself (ann is out, cy amended away)
    assert distinct["ooo"] == 4  # bob, dan, fay and gus itself: not hal, its own amendment
    assert distinct["later"] == 5  # bob, dan, fay, hal and ivy itself: gus never counted
    assert distinct["late"] == 5  # bob (dup on the edge, and target), fay, hal, ivy, zed itself
    assert distinct["gone"] == 6  # dup's bob has left, target's bob stays: bob, ..., zed, x
    assert distinct["gone2"] == 4  # bob and fay have left: hal, ivy, zed and x itself


_BOUNDED = (
    ShipmentAggregate(
        "shipper_seen",
        "",
        key="shipper_name",
        measure="count",
        window=Ever(),
        include_self=False,
        up_to=3,
    ),
    ShipmentAggregate(
        "phone_30d", "", key="consignee_phone", measure="count", window=Rolling(30), up_to=4
    ),
    ShipmentAggregate(
        "address_today",
        "",
        key="consignee_address",
        measure="count",
        window=SameCustomsDay(),
        up_to=2,
    ),
)


def test_bounded_counts_stop_at_their_bound_online_and_in_batch(
    history: History, engine: BatchEngine
) -> None:
    """A hot key's counts stop at ``up_to``, this filing included or not; the batch
    running sums stop at the same place, amendments and cancellations included."""
    sids = []
    for i in range(8):
        sids.append(history.file(f"r{i % 6}", received=T0 + timedelta(minutes=i), arrival=T0))
    sids.append(history.file("r1", received=T0 + timedelta(minutes=9), status="cancelled"))
    with history.engine.connect() as c:
        online = {sid: history_features(c, sid, US_DAY_OFFSET_S, _BOUNDED) for sid in sids}
    # Others seen before: 0, 1, 2, 3, then 3 (stopped) for every later filing.
    assert [online[s]["shipper_seen"] for s in sids[:5]] == [0, 1, 2, 3, 3]
    assert [online[s]["phone_30d"] for s in sids[:5]] == [1, 2, 3, 4, 4]
    assert {online[s]["address_today"] for s in sids[1:8]} == {2}
    batch = batch_history_features(history.engine, US_DAY_OFFSET_S, _BOUNDED, batch=engine)
    for row in batch.to_pylist():
        for name, value in online[row["sid"]].items():
            assert float(row[name]) == pytest.approx(value), (row["sid"], name)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_online_counts_read_a_hot_key_from_its_covering_index(history: History) -> None:
    """The bounded counts of the catalogue read their key's index alone (no table
    row), so a count of up to 1,000 costs 1,000 index entries at most."""
    sid = history.file("a", received=T0)
    sql = _online_sql(HISTORY_FEATURES, "sqlite", US_DAY_OFFSET_S)
    with history.engine.connect() as c:
        plan = c.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql.text}", {"sid": sid}).all()
    details = " | ".join(row[-1] for row in plan)
    for key in ("shipper_name", "seller", "consignee_phone", "consignee_email"):
        assert f"USING COVERING INDEX ix_feature_events_{key}_history" in details, details
