"""Watch-list screening: list files in, parties screened, every hit explained.

``lists`` parses list files, ``normalise`` and ``matcher`` are the pure
matching logic (named, versioned algorithms), ``repo`` keeps lists, versions
and hits in the store. See docs/screening.md.
"""

from ecomrisk.risk.screening.lists import KINDS, ListEntry, ListFileError, ParsedList, parse_list
from ecomrisk.risk.screening.matcher import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    Feature,
    Hit,
    ListIndex,
    Query,
)
from ecomrisk.risk.screening.normalise import NormalName, normalise_name, normalise_text

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "KINDS",
    "Feature",
    "Hit",
    "ListEntry",
    "ListFileError",
    "ListIndex",
    "NormalName",
    "ParsedList",
    "Query",
    "normalise_name",
    "normalise_text",
    "parse_list",
]
