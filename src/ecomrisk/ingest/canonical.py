"""Canonical JSON of a filing and its content hash: the test of "same submission".

Two filings that mean the same thing hash the same: keys sorted, instants in
UTC, decimals without trailing zeros (``1.50`` == ``1.5``).
"""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f")
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(record: BaseModel) -> str:
    body = record.model_dump(mode="python", exclude_none=True)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=_default)


def content_hash(record: BaseModel, *, salt: str = "") -> str:
    """sha256 of the canonical JSON; ``salt`` tells apart kinds that share fields."""
    return hashlib.sha256((salt + canonical_json(record)).encode()).hexdigest()
