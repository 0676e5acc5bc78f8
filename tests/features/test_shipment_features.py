"""Per-filing features on hand-made filings."""

from datetime import UTC, datetime
from typing import Any

import pytest

from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.features.shipment import (
    UnitValue,
    description_fits_code,
    description_is_vague,
    shipment_features,
)
from ecomrisk.reference.fx import bundled_rates

RECEIVED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
UNIT_VALUES = {"610910": UnitValue(value=8.0, weight_kg=0.2)}


def filing(**changes: Any) -> ShipmentFiling:
    body: dict[str, Any] = {
        "filer_reference": "A",
        "mode": "express",
        "house_bill": "H1",
        "port_of_arrival": "USJFK",
        "estimated_arrival": "2026-03-01T10:00:00Z",
        "country_of_export": "CN",
        "shipper": {"name": "S"},
        "consignee": {"name": "C", "phone": "+1 555 0100"},
        "items": [
            {
                "description": "cotton t-shirt",
                "hs_code": "6109100010",
                "quantity": 10,
                "value": "20",
                "currency": "USD",
                "weight_kg": "2.0",
            }
        ],
    }
    body.update(changes)
    return ShipmentFiling.model_validate(body)


def features(f: ShipmentFiling, profile: str = "US-2019") -> dict[str, Any]:
    return shipment_features(f, RECEIVED, load_profile(profile), bundled_rates(), UNIT_VALUES)


def test_values_against_reference_and_threshold() -> None:
    values = features(filing())
    assert values["declared_value"] == pytest.approx(20)
    assert values["value_to_reference_min"] == pytest.approx(0.25)  # 2 per unit against 8
    assert values["weight_to_reference_max"] == pytest.approx(1.0)
    assert values["value_to_threshold"] == pytest.approx(20 / 800)
    assert features(filing(), "EU-2026")["value_to_threshold"] is None  # no relief left


def test_timing_against_the_profile_deadline() -> None:
    values = features(filing())
    assert values["hours_to_arrival"] == pytest.approx(2)
    assert values["filed_late"] is True  # express needs 4 hours in the US
    assert features(filing(estimated_arrival="2026-03-02T10:00:00Z"))["filed_late"] is False


def test_data_present_flags() -> None:
    values = features(filing())
    assert values["seller_present"] is False
    assert values["consignee_phone_present"] is True
    assert values["hs_digits_min"] == 10


def test_unknown_reference_gives_none_not_a_guess() -> None:
    item = {
        "description": "book",
        "hs_code": "490199",
        "quantity": 1,
        "value": 5,
        "currency": "USD",
    }
    values = features(filing(items=[item]))
    assert values["value_to_reference_min"] is None
    assert values["weight_kg"] is None


@pytest.mark.parametrize(
    ("text", "vague"),
    [("Gift", True), ("parts", True), ("SAMPLE goods", True), ("", True), ("wool scarf", False)],
)
def test_vague_descriptions(text: str, vague: bool) -> None:
    assert description_is_vague(text) is vague


def test_description_fit_with_the_hs_code() -> None:
    assert description_fits_code("cotton t-shirts", "610910") == 1.0
    assert description_fits_code("pill press machine", "610910") == 0.0
