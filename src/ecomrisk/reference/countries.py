"""ISO 3166-1 countries, from pycountry (which ships the iso-codes data)."""

from functools import cache

import pycountry


@cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code: str) -> bool:
    return code.upper() in _alpha2()


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        raise LookupError(f"unknown country code {code!r}")
    return str(country.name)


def all_codes() -> list[str]:
    return sorted(_alpha2())
