"""What differs between the engines that run ecomrisk's SQL, and nothing else."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    # DuckDB's `/` is true division even on integers; its integer division is `//`.
    integer_division: str = "/"

    def int_div(self, numerator: str, denominator: str) -> str:
        return f"({numerator}) {self.integer_division} ({denominator})"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")
DUCKDB = Dialect("duckdb", integer_division="//")

_BY_NAME = {d.name: d for d in (SQLITE, POSTGRESQL, DUCKDB)}


def dialect_for(name: str) -> Dialect:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"engine {name!r} has no SQL dialect in ecomrisk (known: {', '.join(_BY_NAME)})"
        ) from None
