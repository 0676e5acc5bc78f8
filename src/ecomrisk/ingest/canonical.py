"""Canonical JSON of a filing and its content hash: the test of "same submission".

Two filings that mean the same thing hash the same: keys sorted, instants in
UTC, decimals without trailing zeros (``1.50`` == ``1.5``).

The bytes are those of ``json.dumps(sort_keys=True, separators=(",", ":"))``
(hashes already stored depend on them). orjson writes the same bytes at about
half the cost wherever its output is printable ASCII: keys sort by code point
either way, and both escape quotes, backslashes and control characters alike.
It differs on other text (json escapes non-ASCII and DEL as ``\\uXXXX``, orjson
writes UTF-8) and refuses integers past 64 bits: there json.dumps is used.
"""

import hashlib
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel

_PRINTABLE_ASCII = re.compile(rb"[\x20-\x7e]*")
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f")
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def reference_json(body: Any) -> str:
    """The canonical text of a dumped record, by definition."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=_default)


def body_json(body: Any) -> str:
    """``reference_json(body)``, by orjson where that gives the same text."""
    try:
        fast = orjson.dumps(body, default=_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # an integer past 64 bits, say
        return reference_json(body)
    if _PRINTABLE_ASCII.fullmatch(fast):
        return fast.decode("ascii")
    return reference_json(body)


def canonical_json(record: BaseModel) -> str:
    return body_json(record.model_dump(mode="python", exclude_none=True))


def content_hash(record: BaseModel, *, salt: str = "") -> str:
    """sha256 of the canonical JSON; ``salt`` tells apart kinds that share fields."""
    return hashlib.sha256((salt + canonical_json(record)).encode()).hexdigest()
