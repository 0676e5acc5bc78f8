"""``ecomrisk rules``: write, publish, backtest and promote rule sets."""

from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from ecomrisk.cli._common import console, fail, settings, store_engine
from ecomrisk.features.registry import known_features
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.backtest import backtest as run_backtest
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.rules import RuleFileError, load_ruleset
from ecomrisk.store.schema import rulesets

app = typer.Typer(
    help="Rule sets: validate, publish, backtest, shadow, promote.", no_args_is_help=True
)

ACTOR = "cli"


def _read(file: Path) -> str:
    try:
        load_ruleset(file, known_features())
        return file.read_text("utf-8")
    except RuleFileError as error:
        raise fail(str(error)) from None


@app.command()
def validate(file: Path = typer.Argument(..., help="Rule set YAML file")) -> None:
    """Check a rule set file; exit 1 naming file, line, field and problem."""
    _read(file)
    console.print(f"[green]{file}[/]: valid rule set")


@app.command()
def publish(file: Path = typer.Argument(..., help="Rule set YAML file")) -> None:
    """Store a new rule set version as a draft (its name@version must be new)."""
    source = _read(file)
    with store_engine() as engine, engine.begin() as connection:
        try:
            ruleset = rulesets_repo.publish(connection, source, ACTOR, str(file))
        except rulesets_repo.RulesetError as error:
            raise fail(str(error)) from None
    console.print(f"published {ruleset.label} as a draft")


@app.command("list")
def list_rulesets() -> None:
    """List rule set versions and their status."""
    with store_engine() as engine, engine.connect() as connection:
        rows = connection.execute(
            select(rulesets).order_by(rulesets.c.name, rulesets.c.version)
        ).all()
    table = Table("rule set", "status", "published by", "at")
    for row in rows:
        table.add_row(f"{row.name}@{row.version}", row.status, row.created_by, str(row.created_at))
    console.print(table)


def _set(label: str, status: rulesets_repo.Status) -> None:
    with store_engine() as engine, engine.begin() as connection:
        try:
            rulesets_repo.set_status(connection, label, status, ACTOR)
        except rulesets_repo.RulesetError as error:
            raise fail(str(error)) from None
    console.print(f"{label} is now {status}")


@app.command()
def promote(label: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Make a rule set live (the live one is retired)."""
    _set(label, "live")


@app.command()
def shadow(label: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Run a rule set in shadow: its would-be decisions are stored, never acted on."""
    _set(label, "shadow")


@app.command()
def retire(label: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Stop using a rule set."""
    _set(label, "retired")


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


@app.command()
def backtest(
    ruleset: str = typer.Argument(..., help="NAME@VERSION in the store, or a YAML file"),
    since: datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day"),
    until: datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Day after the last"),
) -> None:
    """Run a rule set on history: hits, share, precision among inspected, overlaps, lane changes."""
    with store_engine() as engine:
        if Path(ruleset).is_file():
            try:
                rules = load_ruleset(Path(ruleset), known_features())
            except RuleFileError as error:
                raise fail(str(error)) from None
        else:
            with engine.connect() as connection:
                try:
                    rules = rulesets_repo.load(connection, ruleset)
                except rulesets_repo.RulesetError as error:
                    raise fail(str(error)) from None
        with console.status("computing features and hits over history"):
            report = run_backtest(
                engine,
                rules,
                feature_context(engine, settings()),
                _moment(since.date()) if since else None,
                _moment(until.date()) if until else None,
            )
    table = Table(
        "rule",
        "hits",
        "share",
        "inspected",
        "violations",
        "precision",
        "overlaps with",
        title=f"{report.ruleset} on {report.shipments:,} shipments",
    )
    for result in report.rules:
        precision = "-" if result.precision is None else f"{result.precision:.1%}"
        overlaps = ", ".join(f"{k} {v}" for k, v in sorted(result.overlaps.items()))
        table.add_row(
            result.rule_id,
            f"{result.hits:,}",
            f"{result.share:.2%}",
            f"{result.inspected:,}",
            f"{result.violations:,}",
            precision,
            overlaps,
        )
    console.print(table)
    changes = Table(
        "live lane", "would be", "shipments", title="Lane changes against live decisions"
    )
    for (old, new), count in sorted(report.lane_changes.items()):
        if old != new:
            changes.add_row(old, new, f"{count:,}")
    console.print(changes)
    console.print(f"{report.changed:,} shipments would change lane")
