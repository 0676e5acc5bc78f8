"""Field transforms, one at a time, and the readers of the three formats."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomrisk.history.readers import Source
from ecomrisk.history.transforms import FieldSpec, ValueIssue


def spec(**kwargs: object) -> FieldSpec:
    return FieldSpec(target="t", kind=kwargs.pop("kind", "text"), **kwargs)  # type: ignore[arg-type]


def test_code_table_with_otherwise_and_unmapped() -> None:
    table = {"10": "ocean", "40": "air_cargo"}
    assert spec(columns=("m",), code_table=table).apply({"m": "40"}) == "air_cargo"
    with pytest.raises(ValueIssue, match="'99' is not in the code table"):
        spec(columns=("m",), code_table=table).apply({"m": "99"})
    assert spec(columns=("m",), code_table=table, otherwise="").apply({"m": "99"}) is None
    assert spec(columns=("m",), code_table=table, keep_unmapped=True).apply({"m": "99"}) == "99"


def test_null_if_default_columns_and_template() -> None:
    assert spec(columns=("w",), null_if=frozenset({"0"})).apply({"w": "0"}) is None
    assert spec(columns=("a", "b"), default="unknown").apply({"a": "", "b": ""}) == "unknown"
    assert spec(columns=("a", "b")).apply({"a": " ", "b": "x"}) == "x"
    assert spec(template="KR{Office ID}").apply({"Office ID": "40"}) == "KR40"
    assert spec(template="{_file}").apply({}, "DHL") == "DHL"


def test_numbers_units_and_null_above() -> None:
    grams = spec(kind="number", columns=("g",), multiply=Decimal("0.001"))
    assert grams.apply({"g": "1500"}) == "1.5"
    capped = spec(kind="number", columns=("kg",), null_above=Decimal(100))
    assert capped.apply({"kg": "100.0"}) == "100"
    assert capped.apply({"kg": "101"}) is None
    with pytest.raises(ValueIssue, match="'heavy' is not a number"):
        grams.apply({"g": "heavy"})


def test_times_parse_in_their_zone_and_shift() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    day = spec(kind="datetime", columns=("d",), date_format="%Y-%m-%d", timezone=seoul)
    assert day.apply({"d": "2020-01-01"}) == datetime(2019, 12, 31, 15, tzinfo=UTC)
    iso = spec(kind="datetime", columns=("d",))
    assert iso.apply({"d": "2024-03-01T10:00:00+00:00"}) == datetime(2024, 3, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueIssue, match="has no time zone"):
        iso.apply({"d": "2024-03-01T10:00:00"})
    with pytest.raises(ValueIssue, match="is not a time in %Y-%m-%d"):
        day.apply({"d": "01/01/2020"})


@given(st.integers(min_value=0, max_value=999_999), st.sampled_from(["", ".0"]))
def test_padding_restores_leading_zeros(code: int, suffix: str) -> None:
    padded = spec(columns=("hs",), pad=6).apply({"hs": f"{code}{suffix}"})
    assert padded == f"{code:06d}"
    assert int(padded) == code


def test_csv_parquet_and_ndjson_give_the_same_rows(tmp_path: Path) -> None:
    records = [
        {"ref": "A1", "hs": "010121", "shipper": {"name": "S", "address": {"country": "CN"}},
         "items": [{"description": "d", "value": "1"}, {"description": "e", "value": "2"}]},
        {"ref": "A2", "hs": "020110", "shipper": {"name": "T", "address": {"country": "VN"}},
         "items": [{"description": "f", "value": "3"}]},
    ]  # fmt: skip
    ndjson = tmp_path / "f.ndjson"
    ndjson.write_text("".join(json.dumps(r) + "\n" for r in records) + "\n{bad json\n")
    parquet = tmp_path / "f.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    from_ndjson = list(Source(ndjson, "ndjson").rows())
    from_parquet = list(Source(parquet, "parquet").rows())
    assert [r.data for r in from_parquet] == [r.data for r in from_ndjson[:2]]
    assert from_ndjson[0].data["shipper.address.country"] == "CN"
    assert from_ndjson[0].data["items"][1] == {"description": "e", "value": "2"}
    assert from_ndjson[2].position == "line 4"
    assert "malformed JSON" in (from_ndjson[2].problem or "")
    assert "items.description" in (Source(parquet, "parquet").header() or [])

    csv = tmp_path / "f.csv"
    csv.write_text('ref,hs,note\nA1,010121,"a, quoted"\nA2,020110\nA3,000001,x\n')
    rows = list(Source(csv, "csv").rows())
    good = [r for r in rows if r.problem is None]
    assert [r.data["hs"] for r in good] == ["010121", "000001"]  # text: zeros kept
    assert good[0].data["note"] == "a, quoted"
    bad = [r for r in rows if r.problem is not None]
    assert len(bad) == 1
    assert "2 cells where the header has 3" in (bad[0].problem or "")
