"""Domain records: what a filing may hold, and errors that name the field."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ecomrisk.domain.enums import Mode, PartyRole
from ecomrisk.domain.records import Outcome, PostalItemFiling, ShipmentFiling
from ecomrisk.domain.s10 import make_s10, s10_check_digit, s10_problem


def filing(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "filer_reference": "ORD-1",
        "mode": "express",
        "house_bill": "1Z999",
        "port_of_arrival": "usjfk",
        "estimated_arrival": "2026-03-01T10:00:00+08:00",
        "country_of_export": "cn",
        "shipper": {"name": "Shenzhen Trading Co", "address": {"country": "CN"}},
        "consignee": {"name": "Ann Lee", "address": {"line1": "1 Main St", "country": "US"}},
        "items": [
            {
                "description": "cotton t-shirt",
                "hs_code": "6109.10.0010",
                "quantity": 2,
                "value": "12.50",
                "currency": "usd",
            }
        ],
    }
    body.update(changes)
    return body


def error_locations(body: dict[str, Any], model: Any = ShipmentFiling) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        model.model_validate(body)
    return {".".join(map(str, e["loc"])): e["msg"] for e in error.value.errors()}


def test_valid_filing_is_normalised() -> None:
    shipment = ShipmentFiling.model_validate(filing())
    assert shipment.port_of_arrival == "USJFK"
    assert shipment.country_of_export == "CN"
    assert shipment.items[0].hs_code == "6109100010"
    assert shipment.items[0].currency == "USD"
    assert [role for role, _ in shipment.parties()] == [PartyRole.SHIPPER, PartyRole.CONSIGNEE]


def test_errors_name_each_bad_field() -> None:
    bad_item = {"description": "", "hs_code": "12", "quantity": -1, "value": 1, "currency": "X"}
    errors = error_locations(filing(country_of_export="ZZ", items=[bad_item], colour="red"))
    assert "unknown ISO 3166-1 alpha-2 country code 'ZZ'" in errors["country_of_export"]
    assert "items.0.description" in errors
    assert "6 to 10 digits" in errors["items.0.hs_code"]
    assert "greater than 0" in errors["items.0.quantity"]
    assert "items.0.currency" in errors
    assert "colour" in errors  # unknown fields are refused, not ignored


@pytest.mark.parametrize(
    ("field", "value"),
    [("value", "1e12"), ("value", "-5"), ("value", "NaN"), ("quantity", "Infinity")],
)
def test_huge_negative_and_non_finite_numbers_are_refused(field: str, value: str) -> None:
    item = {**filing()["items"][0], field: value}
    assert f"items.0.{field}" in error_locations(filing(items=[item]))


def test_naive_arrival_time_is_refused() -> None:
    assert "estimated_arrival" in error_locations(filing(estimated_arrival="2026-03-01T10:00:00"))


def test_mail_needs_an_s10_identifier() -> None:
    errors = error_locations(filing(mode="mail", house_bill="RR123456780CN"))
    assert "check digit" in " ".join(errors.values())
    ok = ShipmentFiling.model_validate(filing(mode="mail", house_bill=make_s10("RR", 1, "CN")))
    assert ok.mode is Mode.MAIL


def test_postal_item_becomes_a_mail_shipment() -> None:
    item = PostalItemFiling.model_validate(
        {
            "filer_reference": "P-1",
            "item_id": "AA473124829GB",
            "category": "gift",
            "sender": {"name": "Bob", "address": {"country": "GB"}},
            "addressee": {"name": "Ann", "address": {"country": "US"}},
            "contents": [
                {
                    "description": "book",
                    "quantity": 1,
                    "net_weight_kg": "0.4",
                    "value": 10,
                    "hs_tariff_number": "490199",
                    "origin_country": "GB",
                }
            ],
            "currency": "GBP",
            "office_of_exchange": "USJFK",
            "estimated_arrival": "2026-03-01T10:00:00Z",
            "country_of_export": "GB",
        }
    )
    shipment = item.to_shipment()
    assert shipment.mode is Mode.MAIL
    assert shipment.house_bill == "AA473124829GB"
    assert shipment.items[0].currency == "GBP"


def test_outcome_consistency() -> None:
    base = {
        "exam_type": "physical",
        "action": "release",
        "examined_at": "2026-03-02T09:00:00Z",
        "selection": "random",
        "inclusion_probability": 0.01,
    }
    assert "findings" in " ".join(
        error_locations({**base, "result": "violation"}, Outcome).values()
    )
    random_without_p = {**base, "result": "no_violation", "inclusion_probability": None}
    assert "inclusion_probability" in " ".join(error_locations(random_without_p, Outcome).values())
    Outcome.model_validate({**base, "result": "no_violation"})


def test_s10_check_digit_matches_the_upu_example() -> None:
    # UPU S10 worked example: AA 47312482 9 GB.
    assert s10_check_digit("47312482") == 9
    assert s10_problem("AA473124829GB") is None


@given(
    service=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    serial=st.integers(min_value=0, max_value=99_999_999),
    country=st.sampled_from(["CN", "GB", "US", "DE"]),
    wrong=st.integers(min_value=1, max_value=9),
)
def test_s10_round_trip_and_single_digit_errors(
    service: str, serial: int, country: str, wrong: int
) -> None:
    identifier = make_s10(service, serial, country)
    assert s10_problem(identifier) is None
    digit = int(identifier[10])
    tampered = identifier[:10] + str((digit + wrong) % 10) + identifier[11:]
    assert s10_problem(tampered) is not None


@given(st.text(max_size=20))
def test_s10_never_crashes_on_any_text(text: str) -> None:
    problem = s10_problem(text)
    assert problem is None or isinstance(problem, str)
