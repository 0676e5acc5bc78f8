"""``ecomrisk targeting``: select what each facility examines on a customs day."""

from datetime import datetime

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, settings, stage_progress, store_engine
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.targeting import facilities_repo, runs_repo, trusted_repo

app = typer.Typer(
    help="Targeting: selection under capacity, exploration and the random sample.",
    no_args_is_help=True,
)

ACTOR = "cli"
DAY = typer.Option(..., "--day", formats=["%Y-%m-%d"], help="Customs day, YYYY-MM-DD")


@app.command("select")
def select_day(
    day: datetime = DAY,
    facility: str = typer.Option(None, "--facility", help="One facility (default: all active)"),
    seed: int = typer.Option(None, "--seed", help="Seed of the random draws (default: fresh)"),
    limit: int = typer.Option(30, "--limit", help="Most selected shipments shown per facility"),
) -> None:
    """Select shipments to examine for a customs day: forced, random sample, score, exploration."""
    config = settings()
    profile = load_profile(config.jurisdiction)
    results = []
    with store_engine() as engine:
        with engine.connect() as connection:
            try:
                chosen = (
                    [facilities_repo.get(connection, facility)]
                    if facility
                    else facilities_repo.list_all(connection, active_only=True)
                )
            except facilities_repo.FacilityError as error:
                raise fail(str(error)) from None
        if not chosen:
            raise fail("no active facilities: add one with `ecomrisk facilities set`")
        failures = []
        with stage_progress() as advance:
            for done, one in enumerate(chosen, start=1):
                try:
                    with engine.begin() as connection:
                        results.append(
                            runs_repo.run(
                                connection, one, day.date(), profile, config, actor=ACTOR, seed=seed
                            )
                        )
                except runs_repo.SelectionError as error:
                    failures.append(str(error))
                advance("selecting", done, len(chosen))
        with engine.connect() as connection:
            for result in results:
                one = facilities_repo.get(connection, result.facility)
                _show(runs_repo.read(connection, one, result.day), limit)
    for message in failures:
        console.print(f"[yellow]skipped:[/] {message}", highlight=False)
    if failures and not results:
        raise typer.Exit(1)


@app.command()
def show(
    facility: str = typer.Option(..., "--facility", help="Facility code"),
    day: datetime = DAY,
    limit: int = typer.Option(100, "--limit", help="Most selected shipments shown"),
) -> None:
    """Show a stored selection: the officer queue of a facility for a day."""
    with store_engine() as engine, engine.connect() as connection:
        try:
            one = facilities_repo.get(connection, facility)
            stored = runs_repo.read(connection, one, day.date())
        except (facilities_repo.FacilityError, runs_repo.SelectionError) as error:
            raise fail(str(error)) from None
    _show(stored, limit)


def _show(stored: dict[str, object], limit: int) -> None:
    summary: dict[str, object] = stored["summary"]  # type: ignore[assignment]
    rows: list[dict[str, object]] = stored["selections"]  # type: ignore[assignment]
    table = Table(
        title=f"{stored['facility']} on {stored['day']}: {summary['selected']} of "
        f"{summary['candidates']} shipments selected"
    )
    table.add_column("#")
    # Never cut the reference: an officer needs all of it to find the parcel.
    table.add_column("shipment", no_wrap=True, min_width=19)
    for name in ("mode", "lane", "exam", "why", "incl. p", "p", "value"):
        table.add_column(name)
    for row in rows[:limit]:
        table.add_row(
            str(row["rank"]),
            str(row["filer_reference"]),
            str(row["mode"]),
            str(row["lane"] or "-"),
            str(row["exam_type"]),
            str(row["reason"]),
            f"{row['inclusion_probability']:.4f}",
            f"{row['probability']:.2f}",
            f"{row['expected_value']:,.2f}",
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"... and {len(rows) - limit} more (--limit)")
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary["by_reason"].items()))  # type: ignore[attr-defined]
    exams = ", ".join(f"{k} {v}" for k, v in summary["by_exam"].items())  # type: ignore[attr-defined]
    capacity = stored["parameters"]["capacity"]  # type: ignore[index]
    console.print(f"by reason: {reasons or 'none'}; exams used: {exams} of capacity {capacity}")
    overflow = summary["overflow"]
    if overflow:
        console.print(
            f"[red]{len(overflow)} forced shipments did not fit the physical capacity[/]"  # type: ignore[arg-type]
        )
    if summary["random_scale"] < 1:  # type: ignore[operator]
        console.print(
            f"[red]random sample rates scaled by {summary['random_scale']:.3f}: "
            "physical capacity is below the compliance floor[/]"
        )


@app.command()
def trust(
    role: str = typer.Argument(..., help="filer, shipper, seller or consignee"),
    name: str = typer.Argument(..., help="Filer code, or the party's name"),
    source: str = typer.Option(..., "--source", help="Where the trust comes from"),
    valid_from: datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day"),
    valid_to: datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Day it ends"),
) -> None:
    """Mark a party trusted: it gets the profile's lower (never zero) random rate."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            entry = trusted_repo.add(
                connection,
                role,
                name,
                source=source,
                actor=ACTOR,
                valid_from=valid_from.date() if valid_from else None,
                valid_to=valid_to.date() if valid_to else None,
            )
        except trusted_repo.TrustError as error:
            raise fail(str(error)) from None
    console.print(f"trusted {entry.role} {entry.key!r} from {entry.valid_from} ({entry.source})")


@app.command()
def trusted() -> None:
    """List trusted parties and where their trust comes from."""
    with store_engine() as engine, engine.connect() as connection:
        entries = trusted_repo.list_all(connection)
    table = Table("role", "key", "source", "from", "to")
    for e in entries:
        table.add_row(e.role, e.key, e.source, e.valid_from, e.valid_to or "-")
    console.print(table)
