"""``ecomrisk reference``: offline reference data."""

from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, store_engine
from ecomrisk.reference import countries, fx, hs
from ecomrisk.store.fx_repo import latest_rates, save_rates

app = typer.Typer(help="Reference data: HS codes, countries, exchange rates.", no_args_is_help=True)


@app.command("import-rates")
def import_rates(
    file: Path = typer.Argument(..., help="CSV of currency,per_eur with as_of"),
) -> None:
    """Import an exchange-rate table (units per euro) into the store."""
    try:
        table = fx.parse_rates(file.read_text("utf-8"), str(file))
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"{file}: cannot read: {error}") from None
    except fx.RateFileError as error:
        raise fail(str(error)) from None
    with store_engine() as engine, engine.begin() as connection:
        count = save_rates(connection, table)
    console.print(f"Imported {count} rates of {table.as_of} ({table.source}).")


@app.command()
def rates() -> None:
    """Show the exchange-rate table in force."""
    with store_engine() as engine, engine.connect() as connection:
        table = latest_rates(connection)
    if table is None:
        raise fail(
            "no rates in the store: run `ecomrisk demo` or `ecomrisk reference import-rates`"
        )
    out = Table("currency", "per EUR", title=f"Rates of {table.as_of} ({table.source})")
    for currency, rate in sorted(table.per_eur.items()):
        out.add_row(currency, str(rate))
    console.print(out)


@app.command("hs")
def hs_lookup(code: str = typer.Argument(..., help="2-, 4-, 6- or up to 10-digit HS code")) -> None:
    """Describe an HS code and its section."""
    try:
        entry = hs.lookup(code.replace(".", ""))
    except LookupError as error:
        raise fail(str(error)) from None
    console.print(f"{entry.code}  {entry.description}")
    console.print(f"section {entry.section}: {hs.section_name(entry.section)}")


@app.command()
def country(code: str = typer.Argument(..., help="ISO 3166-1 alpha-2 code")) -> None:
    """Name a country by its ISO code."""
    try:
        console.print(countries.country_name(code))
    except LookupError as error:
        raise fail(str(error)) from None
