"""Which Splink backend runs entity resolution: what differs between them, and nothing else.

DuckDB is built; Spark (the Scale issue) will add a ``SplinkBackend`` here and
nothing in the resolver changes. Backends are imported lazily, so ecomrisk
imports without Spark installed.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SplinkBackend:
    name: str
    jaro_winkler: str  # the string-similarity function's name in this engine's SQL

    def db_api(self) -> Any:
        if self.name == "duckdb":
            from splink import DuckDBAPI

            return DuckDBAPI()
        raise NotImplementedError(
            f"engine {self.name!r}: entity resolution is not built on it yet (use duckdb)"
        )


DUCKDB = SplinkBackend("duckdb", jaro_winkler="jaro_winkler_similarity")
# Splink's Spark backend registers its similarity jar's UDF as ``jaro_winkler``.
SPARK = SplinkBackend("spark", jaro_winkler="jaro_winkler")

_BY_NAME = {b.name: b for b in (DUCKDB, SPARK)}


def backend_for(name: str) -> SplinkBackend:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"engine {name!r} has no entity-resolution backend (known: {', '.join(_BY_NAME)})"
        ) from None
