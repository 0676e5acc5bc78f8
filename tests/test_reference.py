"""Offline reference data: HS nomenclature, countries, currencies, exchange rates."""

from decimal import Decimal

import pytest

from ecomrisk.reference import countries, currencies, hs
from ecomrisk.reference.fx import RateFileError, bundled_rates, parse_rates


def test_hs_nomenclature_has_the_2022_subheadings() -> None:
    assert len(hs.subheadings()) > 5000
    assert hs.is_known_subheading("847130")
    assert not hs.is_known_subheading("847199")  # not an HS 2022 subheading
    assert hs.lookup("6109100010").code == "610910"  # national extension, six-digit entry
    assert hs.section_of("610910") == "XI"


def test_unknown_hs_code_raises() -> None:
    with pytest.raises(LookupError, match="not in the nomenclature"):
        hs.lookup("0000")


def test_countries_and_currencies() -> None:
    assert countries.is_country("cn")
    assert not countries.is_country("XK1")
    assert countries.country_name("DE") == "Germany"
    assert currencies.is_currency("EUR")
    assert not currencies.is_currency("XYZ")


def test_bundled_rates_convert_through_the_euro() -> None:
    table = bundled_rates()
    assert table.as_of.isoformat() == "2025-01-02"
    assert table.convert(Decimal(100), "EUR", "USD") == Decimal("103.50")
    round_trip = table.convert(table.convert(Decimal(100), "GBP", "JPY"), "JPY", "GBP")
    assert round(round_trip, 6) == Decimal(100)


def test_missing_rate_is_named() -> None:
    with pytest.raises(LookupError, match="no exchange rate for VND"):
        bundled_rates().convert(Decimal(1), "VND", "EUR")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("currency,per_eur\nUSD,1.1\n", "missing '# as_of"),
        ("# as_of: 2025-13-01\ncurrency,per_eur\n", "not a YYYY-MM-DD date"),
        ("# as_of: 2025-01-01\ncur,rate\n", "header"),
        ("# as_of: 2025-01-01\ncurrency,per_eur\nUSX,1.1\n", "line 3: unknown currency 'USX'"),
        ("# as_of: 2025-01-01\ncurrency,per_eur\nUSD,abc\n", "line 3: per_eur 'abc'"),
        ("# as_of: 2025-01-01\ncurrency,per_eur\nUSD,-1\n", "positive"),
        ("# as_of: 2025-01-01\ncurrency,per_eur\nUSD,1\nUSD,2\n", "appears twice"),
        ("# as_of: 2025-01-01\ncurrency,per_eur\nEUR,2\n", "EUR must be 1"),
    ],
)
def test_bad_rate_files_are_refused_with_the_line(text: str, problem: str) -> None:
    with pytest.raises(RateFileError, match=problem):
        parse_rates(text, "rates.csv")
