"""``ecomrisk facilities``: ports and facilities with their daily exam capacity."""

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, store_engine
from ecomrisk.domain.enums import ExamType
from ecomrisk.targeting import facilities_repo

app = typer.Typer(help="Facilities and their daily inspection capacity.", no_args_is_help=True)

ACTOR = "cli"


@app.command("set")
def set_facility(
    code: str = typer.Argument(..., help="Port or facility code, as shipments' port_of_arrival"),
    name: str = typer.Option(None, "--name", help="Name (required for a new facility)"),
    document_review: int = typer.Option(None, "--document-review", help="Document reviews a day"),
    scan: int = typer.Option(None, "--scan", help="Scans a day"),
    physical: int = typer.Option(None, "--physical", help="Physical exams a day"),
    active: bool = typer.Option(None, "--active/--inactive", help="Select for it or not"),
) -> None:
    """Create a facility or change its name, capacities or status (audited)."""
    given = {
        ExamType.DOCUMENT_REVIEW: document_review,
        ExamType.SCAN: scan,
        ExamType.PHYSICAL: physical,
    }
    capacity = {exam: n for exam, n in given.items() if n is not None}
    with store_engine() as engine, engine.begin() as connection:
        try:
            facility = facilities_repo.put(
                connection, code, actor=ACTOR, name=name, capacity=capacity, active=active
            )
        except facilities_repo.FacilityError as error:
            raise fail(str(error)) from None
    _print([facility])


@app.command("list")
def list_facilities() -> None:
    """List facilities with their daily capacity per exam type."""
    with store_engine() as engine, engine.connect() as connection:
        found = facilities_repo.list_all(connection)
    if not found:
        console.print("no facilities: add one with `ecomrisk facilities set CODE --name NAME`")
        return
    _print(found)


def _print(found: list[facilities_repo.Facility]) -> None:
    table = Table("code", "name", "document review", "scan", "physical", "active")
    for f in found:
        table.add_row(
            f.code,
            f.name,
            str(f.document_review_per_day),
            str(f.scan_per_day),
            str(f.physical_per_day),
            "yes" if f.active else "no",
        )
    console.print(table)
