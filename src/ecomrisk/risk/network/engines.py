"""Which Splink backend runs entity resolution: what differs between them, and nothing else.

DuckDB in process, or Spark (Splink's ``SparkAPI`` on the batch session, its
string similarity from the Scala UDF jar shipped inside the splink package and
loaded with the session: ``engines.spark``). Backends are imported lazily, so
ecomrisk imports without Spark started.
"""

from dataclasses import dataclass, replace
from typing import Any

from ecomrisk.engines.batch import DEFAULT_SPARK_MASTER


@dataclass(frozen=True)
class SplinkBackend:
    name: str
    jaro_winkler: str  # the string-similarity function's name in this engine's SQL
    # Splink parses conditions in its backend's dialect: "x" is a name in DuckDB but a
    # string in Spark SQL, where names are quoted `x`.
    quote_char: str = '"'
    spark_master: str = DEFAULT_SPARK_MASTER  # Spark only: where the session runs

    def quote(self, name: str) -> str:
        return f"{self.quote_char}{name}{self.quote_char}"

    def db_api(self) -> Any:
        if self.name == "duckdb":
            from splink import DuckDBAPI

            return DuckDBAPI()
        from splink.backends.spark import SparkAPI

        from ecomrisk.engines.spark import spark_session

        # Splink cuts long query plans between steps; "persist" caches the step's frame
        # (memory, spilling to disk) and needs no checkpoint folder to be set up.
        return SparkAPI(
            spark_session=spark_session(self.spark_master), break_lineage_method="persist"
        )


DUCKDB = SplinkBackend("duckdb", jaro_winkler="jaro_winkler_similarity")
# Splink's Spark backend registers its similarity jar's UDF as ``jaro_winkler``.
SPARK = SplinkBackend("spark", jaro_winkler="jaro_winkler", quote_char="`")

_BY_NAME = {b.name: b for b in (DUCKDB, SPARK)}


def backend_for(name: str, spark_master: str = DEFAULT_SPARK_MASTER) -> SplinkBackend:
    try:
        return replace(_BY_NAME[name], spark_master=spark_master)
    except KeyError:
        raise ValueError(
            f"engine {name!r} has no entity-resolution backend (known: {', '.join(_BY_NAME)})"
        ) from None
