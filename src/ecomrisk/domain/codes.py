"""Annotated string types for codes, validated against the offline reference data."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from ecomrisk.reference import countries, currencies, hs


def _country(code: str) -> str:
    if not countries.is_country(code):
        raise ValueError(f"unknown ISO 3166-1 alpha-2 country code {code!r}")
    return code


def _currency(code: str) -> str:
    if not currencies.is_currency(code):
        raise ValueError(f"unknown ISO 4217 currency code {code!r}")
    return code


def _hs_code(code: str) -> str:
    # Dots and spaces are common in keyed codes (e.g. 8471.30.01); they carry no meaning.
    code = code.strip().replace(".", "").replace(" ", "")
    if not code.isdigit() or not 6 <= len(code) <= 10:
        raise ValueError(f"HS code {code!r} must have 6 to 10 digits")
    if not hs.is_known_subheading(code[:6]):
        raise ValueError(f"HS code {code!r}: subheading {code[:6]} is not in the HS nomenclature")
    return code


CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    AfterValidator(_country),
]
CurrencyCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$"),
    AfterValidator(_currency),
]
HsCode = Annotated[str, StringConstraints(max_length=20), AfterValidator(_hs_code)]
