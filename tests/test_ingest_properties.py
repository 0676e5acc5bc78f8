"""Property-based tests of the pure ingest logic: normalisers, validators, formats."""

import io
import json
import string
import typing
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ecomrisk.domain.records import ManifestFiling, PostalItemFiling, ShipmentFiling
from ecomrisk.ingest import normalise
from ecomrisk.ingest.canonical import body_json, canonical_json, content_hash, reference_json
from ecomrisk.ingest.formats import csv_records, ndjson_records
from ecomrisk.ingest.problems import parse
from ecomrisk.ingest.quality import assess
from tests.samples import shipment

text = st.text(max_size=300)


@given(text)
def test_name_normalisation_is_idempotent_and_bounded(raw: str) -> None:
    once = normalise.name(raw)
    assert normalise.name(once) == once
    assert len(once) <= normalise.NAME_NORM_MAX
    assert once == once.strip()
    assert "  " not in once


@given(st.text(alphabet=string.ascii_letters + " .,-", max_size=60))
def test_name_ignores_case_and_punctuation(raw: str) -> None:
    assert normalise.name(raw.upper()) == normalise.name(raw.lower().replace(".", " "))


@given(text, text, st.sampled_from(["US", "GB", "CN", "DE"]))
def test_address_is_bounded_and_stable(line1: str, city: str, country: str) -> None:
    out = normalise.address(line1 or None, None, city or None, None, None, country)
    assert len(out) <= normalise.ADDRESS_NORM_MAX
    assert out.endswith(country)


@given(st.text(max_size=60), st.sampled_from([None, "US", "GB", "CN", "ZZ"]))
def test_phone_is_e164_or_none(raw: str, region: str | None) -> None:
    out = normalise.phone(raw, region)
    assert out is None or (out.startswith("+") and out[1:].isdigit() and len(out) <= 20)


@given(
    st.text(alphabet=string.ascii_lowercase + ".", min_size=1, max_size=20).filter(
        lambda s: s.strip(".")
    ),
    st.text(alphabet=string.ascii_lowercase, max_size=8),
)
def test_gmail_dots_and_tags_do_not_matter(local: str, tag: str) -> None:
    plain = normalise.email(local.replace(".", "") + "@gmail.com")
    decorated = normalise.email(f"{local.upper()}+{tag}@GoogleMail.com")
    assert plain == decorated


@given(text)
def test_email_never_raises(raw: str) -> None:
    out = normalise.email(raw)
    assert out is None or ("@" in out and len(out) <= normalise.EMAIL_NORM_MAX)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_validation_never_raises_on_any_json(data: object) -> None:
    filing, problems = parse(ShipmentFiling, data)
    assert (filing is None) == bool(problems)
    for p in problems:
        json.dumps(p.as_dict())  # every problem is JSON-safe


@settings(max_examples=50)
@given(st.dictionaries(st.sampled_from(list(shipment().keys())), json_values, max_size=5))
def test_validation_of_mutated_filings_never_raises(changes: dict[str, object]) -> None:
    filing, problems = parse(ShipmentFiling, shipment() | changes)
    assert (filing is None) == bool(problems)


@given(st.binary(max_size=2_000))
def test_ndjson_reader_never_raises(blob: bytes) -> None:
    for record in ndjson_records(io.BytesIO(blob), max_line_bytes=200):
        assert record.data is not None or record.problems


@given(st.binary(max_size=2_000))
def test_csv_reader_raises_only_format_errors(blob: bytes) -> None:
    from ecomrisk.ingest.formats import FormatError

    try:
        for record in csv_records(io.BytesIO(b"filer_reference,mode\n" + blob), 200):
            assert record.data is not None or record.problems
    except FormatError:
        pass


@given(st.integers(min_value=0, max_value=10_000))
def test_hash_ignores_timezone_of_the_same_instant(minutes: int) -> None:
    instant = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    a = ShipmentFiling.model_validate(shipment(estimated_arrival=instant.isoformat()))
    shifted = instant.astimezone(datetime.now().astimezone().tzinfo).isoformat()
    b = ShipmentFiling.model_validate(shipment(estimated_arrival=shifted))
    assert content_hash(a) == content_hash(b)


@given(st.floats(min_value=-100, max_value=1_000))
def test_quality_score_is_in_unit_interval(lead_hours: float) -> None:
    filing = ShipmentFiling.model_validate(shipment(seller=None))
    now = filing.estimated_arrival - timedelta(hours=lead_hours)
    quality = assess(filing, received_at=now, deadline_hours=4)
    assert 0 <= quality.score <= 1
    assert quality.on_time == (lead_hours >= 4)


class _Colour(StrEnum):
    RED = "red"


# What a filing's python dump holds: text of any kind, integers of any size,
# decimals, aware instants, enums, nested lists and dicts (no floats: below).
_instants = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(),
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)
_dumped = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | _instants
    | st.just(_Colour.RED),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_dumped)
def test_fast_canonical_json_is_the_reference_text(body: object) -> None:
    assert body_json(body) == reference_json(body)


@given(st.text(min_size=1, max_size=40).filter(str.strip), st.text(min_size=1, max_size=40))
def test_filing_hash_text_is_the_reference_text(name: str, description: str) -> None:
    data = shipment(consignee={"name": name})
    data["items"][0]["description"] = description
    filing, _ = parse(ShipmentFiling, data)
    if filing is not None:
        assert canonical_json(filing) == reference_json(filing.model_dump(exclude_none=True))


def _annotations(model: type[BaseModel]) -> set[object]:
    seen: set[object] = set()
    todo: list[object] = [f.annotation for f in model.model_fields.values()]
    while todo:
        annotation = todo.pop()
        if annotation in seen:
            continue
        seen.add(annotation)
        todo += typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            todo += [f.annotation for f in annotation.model_fields.values()]
    return seen


def test_hashed_records_hold_no_floats() -> None:
    # orjson and json.dumps write some floats differently (1.5e-7, 1.5e-07): hashed
    # records carry decimals, and this keeps it so.
    for model in (ShipmentFiling, PostalItemFiling, ManifestFiling):
        assert float not in _annotations(model), model
        assert Decimal in _annotations(model) or model is ManifestFiling
