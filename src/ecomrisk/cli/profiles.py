"""``ecomrisk profiles``: jurisdiction profiles."""

from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, settings
from ecomrisk.domain.jurisdiction import ProfileError, load_profile, shipped_profiles

app = typer.Typer(help="Jurisdiction profiles: thresholds, deadlines, lanes.", no_args_is_help=True)


@app.command("list")
def list_profiles() -> None:
    """List the shipped profiles; the one in force is marked."""
    current = settings().jurisdiction
    out = Table("id", "name", "currency", "valid from", "in force")
    for profile_id in shipped_profiles():
        profile = load_profile(profile_id)
        out.add_row(
            profile.id,
            profile.name,
            profile.currency,
            str(profile.valid_from),
            "*" if profile_id == current else "",
        )
    console.print(out)


@app.command()
def show(
    profile: str = typer.Argument(None, help="Profile id or TOML path; default: in force"),
) -> None:
    """Show a profile's thresholds, deadlines, lanes and sampling floors."""
    try:
        loaded = load_profile(profile or settings().jurisdiction)
    except ProfileError as error:
        raise fail(str(error)) from None
    console.print(
        f"[bold]{loaded.id}[/]: {loaded.name} ({loaded.currency}, from {loaded.valid_from})"
    )
    thresholds = Table("threshold", "amount", "basis", "relief", "modes", "from countries")
    for t in loaded.thresholds:
        thresholds.add_row(
            t.name,
            f"{t.amount} {loaded.currency}",
            t.basis,
            t.relief,
            ", ".join(t.modes) if t.modes else "all",
            ", ".join(t.export_countries) if t.export_countries else "all",
        )
    console.print(thresholds)
    deadlines = Table("mode", "hours before arrival", "note")
    for mode, deadline in loaded.deadlines.items():
        deadlines.add_row(mode, f"{deadline.hours_before_arrival:g}", deadline.note)
    console.print(deadlines)
    console.print("lanes: " + " < ".join(loaded.lanes))
    s = loaded.sampling
    console.print(
        f"random rate {s.min_random_rate:.2%}, trusted {s.trusted_random_rate:.2%}, "
        f"exploration {s.exploration_share:.2%}"
    )


@app.command()
def check(file: Path = typer.Argument(..., help="Profile TOML file to validate")) -> None:
    """Validate a profile file; exits non-zero naming the file, key and problem."""
    try:
        profile = load_profile(file)
    except ProfileError as error:
        raise fail(str(error)) from None
    console.print(f"[green]{file}[/]: valid profile {profile.id}")
