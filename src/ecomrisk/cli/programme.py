"""``ecomrisk programme``: the trusted-shipper programme's applications, decisions
and periodic re-vetting."""

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, settings, stage_progress, store_engine
from ecomrisk.programme import repo
from ecomrisk.programme.criteria import Thresholds, load_thresholds

app = typer.Typer(
    help="Trusted-shipper programme: applications, criteria, decisions, re-vetting.",
    no_args_is_help=True,
)

ACTOR = "cli"


def _thresholds() -> Thresholds:
    path = settings().programme_criteria
    try:
        return load_thresholds(path)
    except (OSError, ValueError) as error:
        raise fail(f"programme_criteria {path}: {error}") from None


@app.command()
def apply(
    role: str = typer.Argument(..., help="filer, shipper or consignee"),
    name: str = typer.Argument(..., help="Filer code, or the party's name"),
    contact: str = typer.Option(..., "--contact", help="How the programme reaches the applicant"),
    country: str = typer.Option(None, "--country", help="Two-letter ISO country code"),
) -> None:
    """Record an application to the programme."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            found = repo.apply(
                connection,
                role=role,
                name=name,
                contact=contact,
                country=country,
                channel="app",
                actor=ACTOR,
            )
        except repo.ProgrammeError as error:
            raise fail(str(error)) from None
    console.print(f"application {found.reference}: {found.role} {found.key!r}, pending")


@app.command("list")
def list_applications(
    status: str = typer.Option(None, "--status", help="pending, approved, denied, ..."),
) -> None:
    """List applications, newest first."""
    with store_engine() as engine, engine.connect() as connection:
        found, total = repo.list_applications(connection, status, limit=1000)
    table = Table(
        "reference", "role", "name", "status", "since", "flagged", title=f"{total} applications"
    )
    for a in found:
        table.add_row(
            a.reference, a.role, a.name, a.status, a.member_since or "-", a.flagged or "-"
        )
    console.print(table)


@app.command()
def evaluate(reference: str = typer.Argument(..., help="Application, e.g. TP-000001")) -> None:
    """Show every criterion of an application with its evidence and threshold."""
    thresholds = _thresholds()
    with store_engine() as engine, engine.connect() as connection:
        try:
            found = repo.get(connection, reference)
        except repo.ProgrammeError as error:
            raise fail(str(error)) from None
        evaluation = repo.evaluation_of(connection, found, thresholds)
    table = Table("criterion", "evidence", "threshold", "result", title=f"{reference} {found.name}")
    for c in evaluation.criteria:
        table.add_row(c.label, c.measured, c.threshold, "pass" if c.passed else "[red]fail[/]")
    console.print(table)


@app.command()
def decide(
    reference: str = typer.Argument(..., help="Application, e.g. TP-000001"),
    decision: str = typer.Argument(..., help="approve, deny, suspend, reinstate or revoke"),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the decision, audited)"),
) -> None:
    """Decide an application; approval makes the party trusted, suspension or
    revocation ends it."""
    thresholds = _thresholds()
    with store_engine() as engine, engine.begin() as connection:
        try:
            found = repo.decide(
                connection, reference, decision, reason, actor=ACTOR, thresholds=thresholds
            )
        except repo.ProgrammeError as error:
            raise fail(str(error)) from None
    console.print(f"{found.reference}: {found.status}")


@app.command()
def revet(
    suspend: bool = typer.Option(
        False, "--suspend", help="Suspend members that fail (default: flag them only)"
    ),
) -> None:
    """Re-evaluate every approved member against the criteria; report who fails."""
    thresholds = _thresholds()
    with store_engine() as engine, stage_progress() as advance, engine.begin() as connection:
        results = repo.revet(connection, thresholds, actor=ACTOR, suspend=suspend, progress=advance)
    table = Table("reference", "role", "name", "result", "failed", "action", title="Re-vetting")
    for r in results:
        table.add_row(
            r.reference,
            r.role,
            r.name,
            "pass" if r.passed else "[red]fail[/]",
            ", ".join(r.failed) or "-",
            r.action,
        )
    console.print(table)
    failing = sum(1 for r in results if not r.passed)
    console.print(f"{len(results)} members re-vetted, {failing} failing")
