"""What differs between the engines that run ecomrisk's SQL, and nothing else."""

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Dialect:
    name: str
    # DuckDB's `/` is true division even on integers; its integer division is `//`.
    integer_division: str = "/"
    # Spark SQL has no `DOUBLE PRECISION`, only `DOUBLE`.
    double_type: str = "DOUBLE PRECISION"
    # An instant with its zone: DuckDB's TIMESTAMPTZ; Spark's TIMESTAMP is one already.
    instant_type: str = "TIMESTAMP WITH TIME ZONE"
    # A bucket 0..n-1 of a value's hash: Spark's hash is a signed int (pmod keeps it
    # non-negative), DuckDB's an unsigned one.
    bucket_template: str = "pmod(hash({expression}), {buckets})"

    def int_div(self, numerator: str, denominator: str) -> str:
        return f"({numerator}) {self.integer_division} ({denominator})"

    def as_double(self, expression: str) -> str:
        return f"CAST({expression} AS {self.double_type})"

    def bucket(self, expression: str, buckets: int) -> str:
        return self.bucket_template.format(expression=expression, buckets=buckets)

    def instant(self, moment: datetime) -> str:
        """A literal of the instant ``moment`` (aware), written in UTC."""
        utc = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return f"CAST('{utc}+00:00' AS {self.instant_type})"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")
DUCKDB = Dialect(
    "duckdb",
    integer_division="//",
    instant_type="TIMESTAMPTZ",
    bucket_template="hash({expression}) % {buckets}",
)
# Spark's `/` is true division too; `DIV` truncates towards zero, as the others do.
SPARK = Dialect("spark", integer_division="DIV", double_type="DOUBLE", instant_type="TIMESTAMP")

_BY_NAME = {d.name: d for d in (SQLITE, POSTGRESQL, DUCKDB, SPARK)}


def dialect_for(name: str) -> Dialect:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"engine {name!r} has no SQL dialect in ecomrisk (known: {', '.join(_BY_NAME)})"
        ) from None
