"""The training set holds only what was known when each shipment was filed."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from ecomrisk.features.matrix import feature_matrix
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.model.dataset import training_examples
from ecomrisk.risk.screening import parse_list, repo
from ecomrisk.settings import Settings
from tests.model.store_history import Filings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = b"name,aliases,address,country,reason\nShenzhen Trading Co.,,,CN,fakes\n"


def test_no_feature_reads_data_after_the_filing(store: Engine) -> None:
    filings = Filings(store)
    a = filings.file("A", T0)
    b = filings.file("B", T0 + timedelta(hours=1))  # before A's exam found a violation
    filings.outcome(a, T0 + timedelta(hours=2), violation=True)
    c = filings.file("C", T0 + timedelta(hours=3))  # after it
    filings.outcome(b, T0 + timedelta(hours=4), violation=False, selection="random")
    filings.outcome(c, T0 + timedelta(hours=5), violation=False)
    # The shipper is put on a watch list after every filing, and all parties rescreened.
    with store.begin() as connection:
        parsed = parse_list("agency", LIST, "late.csv")
        repo.import_list(connection, "late", parsed, "late.csv", "t")
        repo.rescreen(connection, everything=True)

    context = feature_context(store, Settings())
    examples = {e.sid: e for e in training_examples(store, context)}
    assert [examples[s].features["shipper_violations_365d"] for s in (a, b, c)] == [0, 0, 1]
    assert [examples[s].features["address_seizures_180d"] for s in (a, b, c)] == [0, 0, 1]
    assert all(examples[s].features["screening_hits"] == 0 for s in (a, b, c))
    assert examples[a].violation
    assert not examples[b].violation
    assert (examples[b].selection, examples[b].inclusion_probability) == ("random", 0.01)
    assert examples[a].revenue == 12.5
    # What a batch matrix of today would say about B: the late list's hit, which
    # nobody knew when B was filed. The training set must not see it.
    today = {row["sid"]: row for row in feature_matrix(store, context).to_pylist()}
    assert today[b]["screening_hits"] > 0


def test_the_window_selects_by_filing_time(store: Engine) -> None:
    filings = Filings(store)
    early = filings.file("E", T0)
    late = filings.file("L", T0 + timedelta(days=2))
    for sid in (early, late):
        filings.outcome(sid, T0 + timedelta(days=3), violation=False)
    context = feature_context(store, Settings())
    window = training_examples(store, context, T0 + timedelta(days=1), T0 + timedelta(days=5))
    assert [e.sid for e in window] == [late]
