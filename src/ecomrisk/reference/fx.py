"""Exchange rates: a table of units per euro, as the ECB publishes them.

A snapshot ships with ecomrisk (``data/fx_rates.csv``, its date in the file);
an agency replaces it with its own official rates through
``ecomrisk reference import-rates``. This module only parses and converts;
where the current table is kept is the store's business.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources

from ecomrisk.reference.currencies import is_currency


class RateFileError(ValueError):
    """A rate file that cannot be used; the message names the line and the problem."""


@dataclass(frozen=True)
class RateTable:
    as_of: date
    source: str
    per_eur: dict[str, Decimal]

    def convert(self, amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
        """Convert ``amount`` between two currencies through the euro."""
        try:
            from_rate = self.per_eur[from_currency.upper()]
            to_rate = self.per_eur[to_currency.upper()]
        except KeyError as missing:
            raise LookupError(
                f"no exchange rate for {missing.args[0]} in the table of {self.as_of}"
            ) from None
        return amount / from_rate * to_rate

    def has(self, currency: str) -> bool:
        return currency.upper() in self.per_eur


def parse_rates(text: str, name: str = "rates") -> RateTable:
    """Parse a rate file: ``# as_of: YYYY-MM-DD`` and ``# source: ...`` comments, then
    a ``currency,per_eur`` CSV. Raises RateFileError naming the line and problem."""
    as_of: date | None = None
    source = name
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            key, _, value = stripped.lstrip("# ").partition(":")
            if key.strip() == "as_of":
                try:
                    as_of = date.fromisoformat(value.strip())
                except ValueError:
                    raise RateFileError(
                        f"{name}, line {number}: as_of {value.strip()!r} is not a YYYY-MM-DD date"
                    ) from None
            elif key.strip() == "source":
                source = value.strip()
            continue
        rows.append((number, next(csv.reader([stripped]))))
    if as_of is None:
        raise RateFileError(f"{name}: missing '# as_of: YYYY-MM-DD' line")
    if not rows or [c.strip() for c in rows[0][1]] != ["currency", "per_eur"]:
        raise RateFileError(f"{name}: the first row must be the header currency,per_eur")
    rates: dict[str, Decimal] = {}
    for line_no, cells in rows[1:]:
        if len(cells) != 2:
            raise RateFileError(f"{name}, line {line_no}: expected 2 columns, got {len(cells)}")
        currency = cells[0].strip().upper()
        if not is_currency(currency):
            raise RateFileError(f"{name}, line {line_no}: unknown currency {currency!r}")
        try:
            rate = Decimal(cells[1].strip())
        except InvalidOperation:
            raise RateFileError(
                f"{name}, line {line_no}: per_eur {cells[1]!r} is not a number"
            ) from None
        if not rate.is_finite() or rate <= 0:
            raise RateFileError(f"{name}, line {line_no}: per_eur must be a positive number")
        if currency in rates:
            raise RateFileError(f"{name}, line {line_no}: {currency} appears twice")
        rates[currency] = rate
    if rates.get("EUR", Decimal(1)) != 1:
        raise RateFileError(f"{name}: EUR must be 1 (rates are units per euro)")
    rates["EUR"] = Decimal(1)
    return RateTable(as_of=as_of, source=source, per_eur=rates)


def bundled_rates() -> RateTable:
    """The snapshot shipped with ecomrisk."""
    text = resources.files("ecomrisk.reference").joinpath("data/fx_rates.csv").read_text("utf-8")
    return parse_rates(text, "bundled fx_rates.csv")
