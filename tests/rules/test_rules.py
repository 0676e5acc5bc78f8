"""Rules: parsing with located errors, evaluation, and the same hits in SQL as in Python."""

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomrisk.domain.enums import Lane
from ecomrisk.risk.rules import RuleFileError, evaluate, load_ruleset, parse_ruleset
from ecomrisk.risk.rules.evaluate import combined_probability, strictest_lane
from ecomrisk.risk.rules.sql import hit_column, rule_hits_sql

RULES = """\
name: test
version: 2
params:
  threshold: 800
rules:
  - id: split
    description: Consignee receives more than the de minimis today
    owner: ntc
    rationale: Splitting keeps each parcel under the threshold
    weight: 0.3
    lane: document_review
    suspected: [split_shipment]
    when:
      all:
        - feature: consignee_value_today
          gt: {param: threshold}
        - feature: mode
          in: [express, mail]
  - id: vague
    description: Vague description
    owner: ntc
    rationale: Vague text hides what is inside
    weight: 0.2
    lane: scan
    valid_from: 2026-01-01
    when:
      any:
        - feature: description_vague
          eq: true
        - not:
            feature: seller_present
            eq: true
  - id: retired
    description: Old rule
    owner: ntc
    rationale: No longer used
    weight: 0.9
    lane: hold
    valid_to: 2025-12-31
    when:
      feature: mode
      eq: mail
"""


def test_a_valid_rule_set_loads(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    ruleset = load_ruleset(
        path, {"consignee_value_today", "mode", "description_vague", "seller_present"}
    )
    assert ruleset.label == "test@2"
    assert [r.id for r in ruleset.rules] == ["split", "vague", "retired"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("weight: 0.3", "weight: 3"),
            "line 10, field rules.0.weight: Input should be less than or equal to 1",
        ),
        (("lane: scan", "lane: jail"), "line 24, field rules.1.lane: Input should be"),
        (
            ("gt: {param: threshold}", "gt: {param: treshold}"),
            "rule split: unknown param 'treshold'",
        ),
        (
            ("          in: [express, mail]", "          in: [express, mail]\n          eq: mail"),
            "line 17, field rules.0.when.all.1: a condition on 'mode' needs exactly one operator",
        ),
        (
            ("owner: ntc\n    rationale: Vague", "rationale: Vague"),
            "line 19, field rules.1.owner: Field required",
        ),
        (("id: vague", "id: split"), "duplicate id 'split'"),
        (("- feature: mode", "- feature: moed"), "rule split: unknown feature 'moed'"),
        (("version: 2", "version: [2"), "not valid YAML"),
        (
            ("    lane: hold", "    lane: hold\n    colour: red"),
            "field rules.2.colour: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_rule_files_name_line_field_and_problem(change: tuple[str, str], expected: str) -> None:
    text = RULES.replace(*change)
    assert text != RULES
    known = {"consignee_value_today", "mode", "description_vague", "seller_present"}
    with pytest.raises(RuleFileError) as error:
        parse_ruleset(text, "rules.yaml", known)
    assert expected in str(error.value)
    assert "rules.yaml" in str(error.value)


def test_evaluation_hits_lane_and_probability() -> None:
    ruleset = parse_ruleset(RULES, "rules.yaml")
    features = {
        "consignee_value_today": 950.0,
        "mode": "mail",
        "description_vague": False,
        "seller_present": False,
    }
    hits = evaluate(ruleset, features, date(2026, 3, 1))
    assert [h.rule.id for h in hits] == ["split", "vague"]  # 'retired' is out of force
    assert strictest_lane(hits) is Lane.SCAN
    assert combined_probability(hits) == pytest.approx(1 - 0.7 * 0.8)
    assert "consignee_value_today = 950" in hits[0].text
    old = evaluate(ruleset, features, date(2025, 6, 1))
    assert [h.rule.id for h in old] == ["split", "retired"]  # 'vague' not yet valid


def test_missing_values_satisfy_no_comparison() -> None:
    ruleset = parse_ruleset(RULES, "rules.yaml")
    hits = evaluate(ruleset, {"mode": "express", "seller_present": True}, date(2026, 3, 1))
    assert hits == []


feature_rows = st.lists(
    st.fixed_dictionaries(
        {
            "consignee_value_today": st.one_of(st.none(), st.floats(0, 2000, allow_nan=False)),
            "mode": st.one_of(st.none(), st.sampled_from(["mail", "express", "truck"])),
            "description_vague": st.one_of(st.none(), st.booleans()),
            "seller_present": st.one_of(st.none(), st.booleans()),
        }
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows=feature_rows)
def test_sql_hits_equal_python_hits(rows: list[dict[str, Any]]) -> None:
    ruleset = parse_ruleset(RULES, "rules.yaml")
    day = date(2026, 3, 1)
    table = pa.Table.from_pylist(
        [{"sid": i, "day": day, **row} for i, row in enumerate(rows)],
        schema=pa.schema(
            [
                ("sid", pa.int64()),
                ("day", pa.date32()),
                ("consignee_value_today", pa.float64()),
                ("mode", pa.string()),
                ("description_vague", pa.bool_()),
                ("seller_present", pa.bool_()),
            ]
        ),
    )
    with duckdb.connect() as duck:
        duck.register("features", table)
        result = duck.sql(rule_hits_sql(ruleset, "features", day_column="day")).to_arrow_table()
    for i, row in enumerate(rows):
        python_hits = {h.rule.id for h in evaluate(ruleset, row, day)}
        sql_hits = {r.id for r in ruleset.rules if result.column(hit_column(r.id))[i].as_py()}
        assert sql_hits == python_hits, row
