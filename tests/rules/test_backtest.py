"""Backtest figures against a hand-computed case."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.features.matrix import FeatureContext
from ecomrisk.features.shipment import UnitValue
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.risk.backtest import backtest
from ecomrisk.risk.rules import parse_ruleset
from ecomrisk.store.schema import decisions
from tests.histories import T0, History

RULES = """\
name: bt
version: 1
rules:
  - id: cheap
    description: Cheap
    owner: t
    rationale: t
    weight: 0.5
    lane: scan
    when: {feature: value_to_reference_min, lt: 0.5}
  - id: vague
    description: Vague
    owner: t
    rationale: t
    weight: 0.2
    lane: document_review
    when: {feature: description_vague, eq: true}
"""


def test_backtest_counts_hits_precision_overlap_and_lane_changes(store: Engine) -> None:
    history = History(store)
    # value, description, outcome (None: not examined; True/False: violation found)
    cases = [
        ("1", "gift", True),  # cheap + vague, examined, violation
        ("2", "cotton t-shirt", False),  # cheap, examined, clean
        ("3", "gift", None),  # cheap + vague, not examined
        ("50", "gift", True),  # vague only, violation
        ("50", "cotton t-shirt", None),  # nothing
        ("60", "cotton t-shirt", False),  # nothing, examined clean
    ]
    sids = []
    for i, (value, description, found) in enumerate(cases):
        sid = history.file(
            f"s{i}", received=T0 + timedelta(hours=i), value=value, description=description
        )
        sids.append(sid)
        if found is not None:
            history.outcome(sid, recorded=T0 + timedelta(days=1), violation=found, seize=False)
    with store.begin() as connection:  # the live lane of two shipments
        for sid in sids[:2]:
            connection.execute(
                decisions.insert().values(
                    shipment_id=sid,
                    decided_at=datetime.now(UTC),
                    score=0.0,
                    lane="release",
                    reasons=[],
                    versions={},
                    kind="live",
                )
            )
    context = FeatureContext(
        load_profile("US-2019"), bundled_rates(), {"610910": UnitValue(10.0, 0.2)}
    )
    report = backtest(store, parse_ruleset(RULES, "bt.yaml"), context)
    cheap, vague = report.rules
    assert report.shipments == 6
    assert (cheap.hits, cheap.inspected, cheap.violations) == (3, 2, 1)
    assert cheap.precision == pytest.approx(0.5)
    assert cheap.share == pytest.approx(0.5)
    assert (vague.hits, vague.inspected, vague.violations) == (3, 2, 2)
    assert cheap.overlaps == {"vague": 2}
    assert report.lane_changes == {("release", "scan"): 2}
    assert report.changed == 2
