"""Decision rows written in bulk, their JSON encoded once, fast (batch rescoring).

A decision row carries three JSON documents (reasons, versions, features: ~45
values). Through the JSON column type each is encoded by the standard library,
which cost rescoring ~40 us a row, more than deciding it. Here they are encoded
by orjson and bound as text: SQLite stores JSON as text anyway, PostgreSQL casts
the text to JSONB. Read back, they are the same documents (a test holds a rescored
decision's ``explain`` to what was stored).

orjson writes NaN and infinity as null, the standard library as NaN / Infinity;
a document with such a float goes through the standard library, so a stored value
never changes on the way.
"""

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, Text, bindparam, cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import Insert

from ecomrisk.store.schema import decisions

_JSON_COLUMNS = ("reasons", "versions", "features")


def _statement(dialect: str) -> Insert:
    def text_of(column: str) -> Any:
        value = bindparam(f"{column}_json", type_=Text)
        return cast(value, JSONB) if dialect == "postgresql" else value

    return decisions.insert().values({column: text_of(column) for column in _JSON_COLUMNS})


# Built once (see features/events.py on why).
_INSERT = {name: _statement(name) for name in ("sqlite", "postgresql")}


def _flat_and_finite(values: Iterable[Any]) -> bool:
    """No container among ``values`` and every float finite: a sum of floats is
    finite only if each is (NaN and infinity propagate; an overflow only sends the
    document the slow, always exact way)."""
    floats = []
    for value in values:
        kind = type(value)
        if kind is float:
            floats.append(value)
        elif kind is dict or kind is list:
            return False
    return math.isfinite(sum(floats))


def _plain(document: Any) -> bool:
    """A dict of scalars or a list of such dicts, every float finite (what decisions
    store): orjson writes it exactly as the standard library would read it back."""
    if type(document) is dict:
        return _flat_and_finite(document.values())
    if type(document) is list:
        return all(type(d) is dict and _flat_and_finite(d.values()) for d in document)
    return False


def encode(document: Any) -> str:
    """``document`` as JSON text that reads back to an equal document."""
    if _plain(document):
        return orjson.dumps(document).decode()
    return json.dumps(document)


def insert(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert decision rows (the columns of ``decisions``, JSON ones as documents)."""
    params = []
    for row in rows:
        values = {k: v for k, v in row.items() if k not in _JSON_COLUMNS}
        for column in _JSON_COLUMNS:
            values[f"{column}_json"] = encode(row[column])
        params.append(values)
    if params:
        connection.execute(_INSERT[connection.dialect.name], params)
