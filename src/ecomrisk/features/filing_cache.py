"""Per-filing features kept from ingest, so batch runs need not parse every filing again.

The decider computes a filing's own features anyway; it stores them here with
their basis (profile, FX table, feature code). A batch run takes the stored
values whose basis is its own and computes the rest, so the numbers are the
same either way (the batch == online parity tests hold them equal).
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from ecomrisk.store.schema import filing_features

# Deciding the same version twice (a re-run) keeps the first row: same basis, same values.
_INSERT = {
    "sqlite": sqlite.insert(filing_features).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(filing_features).on_conflict_do_nothing(),
}


def store(connection: Connection, sid: int, basis: str, features: Mapping[str, Any]) -> None:
    connection.execute(
        _INSERT[connection.dialect.name], {"sid": sid, "basis": basis, "features": dict(features)}
    )
