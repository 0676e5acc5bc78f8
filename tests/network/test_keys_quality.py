"""Keys of party records (what entity resolution compares) and the pairwise
quality measure, on cases worked out by hand."""

from types import SimpleNamespace

import pytest

from ecomrisk.ingest.normalise import email, name, phone
from ecomrisk.risk.network.keys import record_keys
from ecomrisk.risk.network.quality import pairwise


def _party(raw_name: str, line1: str, line2: str | None = None, **fields: str | None) -> object:
    values = {
        "name_norm": name(raw_name),
        "address_line1": line1,
        "address_line2": line2,
        "postal_code": None,
        "city": "Shenzhen",
        "country": "CN",
        "phone_norm": None,
        "email_norm": None,
        "marketplace_seller_id": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_variants_of_one_record_have_the_same_keys() -> None:
    a = record_keys(
        _party(
            "Bright Star Trading Co., Ltd.",
            "No. 12 Industrial Road",
            "Apt 4B",
            postal_code="10001",
            phone_norm=phone("+86 13512345678", "CN"),
            email_norm=email("Sales@BrightStar.com"),
        )
    )
    b = record_keys(
        _party(
            "BRIGHT STAR TRADING COMPANY LIMITED",
            "No. 12 Industrial Rd #4B",
            postal_code="10001-2345",
            phone_norm=phone("+86-135-12345678", "CN"),
            email_norm=email("sales@brightstar.com"),
        )
    )
    assert a.name == b.name == "bright star trading"
    assert a.address == b.address
    assert a.postcode == b.postcode == "10001"
    assert a.phone == b.phone
    assert a.email == b.email
    assert a.signature == b.signature


def test_word_order_is_kept_apart_but_sorted_keys_meet() -> None:
    a = record_keys(_party("Wei Zhang", "1 Main St"))
    b = record_keys(_party("Zhang Wei", "1 Main St"))
    assert a.name != b.name
    assert a.name_sorted == b.name_sorted
    assert a.signature != b.signature


def test_a_record_without_anything_has_no_keys() -> None:
    keys = record_keys(_party("Ltd", "", city=None, country=None))
    assert keys.name == "ltd"  # a name of legal words only is kept whole
    assert keys.address is None
    assert keys.address_block is None


def test_pairwise_quality_counts_pairs() -> None:
    # True clusters {1,2,3} {4,5}; predicted {1,2} {3,4,5}.
    labels = [("p", "t"), ("p", "t"), ("q", "t"), ("q", "u"), ("q", "u")]
    quality = pairwise(labels)
    assert quality.true_pairs == 3 + 1
    assert quality.predicted_pairs == 1 + 3
    assert quality.correct_pairs == 1 + 1
    assert quality.precision == pytest.approx(0.5)
    assert quality.recall == pytest.approx(0.5)
    assert quality.f1 == pytest.approx(0.5)
    perfect = pairwise([("a", "x"), ("a", "x"), ("b", "y")])
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
