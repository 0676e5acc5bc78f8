"""Reference unit values and weights per HS subheading, the yardstick of undervaluation.

An agency keeps its own (from past declarations, market prices, valuation
databases); ecomrisk ships a starting table in ``data/hs_unit_values.csv`` and
reads any file of the same layout: ``hs6,unit_value,currency,unit_weight_kg``.
"""

import csv
import io
from decimal import Decimal, InvalidOperation
from importlib import resources

from ecomrisk.features.shipment import UnitValue
from ecomrisk.reference import currencies, hs
from ecomrisk.reference.fx import RateTable

COLUMNS = ["hs6", "unit_value", "currency", "unit_weight_kg"]


class UnitValueFileError(ValueError):
    """A unit-value file that cannot be used; names the line and the problem."""


def parse_unit_values(
    text: str, name: str, rates: RateTable, currency: str
) -> dict[str, UnitValue]:
    """Parse the file and convert every value to ``currency``."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = next(reader, None)
    if header != COLUMNS:
        raise UnitValueFileError(f"{name}: the header must be {','.join(COLUMNS)}")
    table: dict[str, UnitValue] = {}
    for number, row in enumerate(reader, start=2):
        if len(row) != len(COLUMNS):
            raise UnitValueFileError(f"{name}, row {number}: expected {len(COLUMNS)} columns")
        code, value, row_currency, weight = (cell.strip() for cell in row)
        if not hs.is_known_subheading(code):
            raise UnitValueFileError(f"{name}, row {number}: hs6 {code!r} is not an HS subheading")
        if not currencies.is_currency(row_currency) or not rates.has(row_currency):
            raise UnitValueFileError(f"{name}, row {number}: no exchange rate for {row_currency!r}")
        try:
            amount, kilograms = Decimal(value), Decimal(weight)
        except InvalidOperation:
            raise UnitValueFileError(
                f"{name}, row {number}: unit_value and unit_weight_kg are numbers"
            ) from None
        if amount <= 0 or kilograms <= 0:
            raise UnitValueFileError(f"{name}, row {number}: values must be positive")
        table[code] = UnitValue(
            float(rates.convert(amount, row_currency, currency)), float(kilograms)
        )
    return table


def bundled_unit_values(rates: RateTable, currency: str) -> dict[str, UnitValue]:
    text = (
        resources.files("ecomrisk.reference").joinpath("data/hs_unit_values.csv").read_text("utf-8")
    )
    return parse_unit_values(text, "bundled hs_unit_values.csv", rates, currency)
