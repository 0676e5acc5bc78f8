"""``ecomrisk measures``: performance measures against baselines and targets."""

from datetime import date, datetime
from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, settings, stage_progress, store_engine
from ecomrisk.measures import board, catalogue, targets_repo
from ecomrisk.measures.periods import PeriodError, grain_of

app = typer.Typer(
    help="Performance measures: baselines, targets, the dashboard and its export.",
    no_args_is_help=True,
)

ACTOR = "cli"
SINCE = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day (arrival or exam)")
UNTIL = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Day after the last")
GRAIN = typer.Option("week", "--grain", help="day, week or month")
MEASURE = typer.Option(None, "--measure", help="Only these measures (repeat the option)")


def _window(since: datetime | None, until: datetime | None) -> tuple[date, date]:
    first, after = board.default_window()
    return (since.date() if since else first, until.date() if until else after)


def _board(
    since: datetime | None, until: datetime | None, grain: str, names: list[str] | None
) -> board.Board:
    first, after = _window(since, until)
    config = settings()
    try:
        chosen = grain_of(grain)
        for name in names or []:
            catalogue.measure(name)
        with store_engine() as engine, engine.connect() as connection, stage_progress() as bar:
            context = board.context_for(connection, config)
            return board.build(
                connection,
                context,
                first,
                after,
                chosen,
                names,
                progress=lambda done, total: bar("computing measures by period", done, total),
            )
    except (PeriodError, catalogue.UnknownMeasureError) as error:
        raise fail(str(error)) from None


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "share":
        return f"{value:.1%}"
    if unit in ("shipments", "count"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


@app.command("list")
def list_measures() -> None:
    """Every measure with its definition, unit and which direction is good."""
    table = Table("measure", "unit", "good", "definition", title="Performance measures")
    for m in catalogue.MEASURES:
        table.add_row(m.name, m.unit, m.good, m.definition)
    console.print(table)


@app.command()
def show(
    since: datetime = SINCE,
    until: datetime = UNTIL,
    grain: str = GRAIN,
    names: list[str] = MEASURE,
) -> None:
    """Each measure's latest value against its baseline and target."""
    result = _board(since, until, grain, names)
    table = Table(title=f"Measures {result.since} to {result.until} by {result.grain}")
    table.add_column("measure", no_wrap=True)
    for name in ("latest period", "latest", "interval", "n", "baseline", "target", "status"):
        table.add_column(name)
    notes = []
    for row in result.rows:
        unit, latest = row.measure.unit, row.latest
        interval = ""
        if latest is not None and latest.low is not None and latest.high is not None:
            interval = f"[{_value(latest.low, unit)}, {_value(latest.high, unit)}]"
        note = next((p.note for p in row.overall if p.note), "")
        if note and latest is None:
            notes.append(f"{row.measure.name}: {note}")
        target = row.setting.target if row.setting else None
        table.add_row(
            row.measure.name,
            latest.period if latest else "-",
            _value(latest.value if latest else None, unit),
            interval,
            str(latest.n) if latest else "0",
            _value(row.baseline.value if row.baseline else None, unit),
            _value(target, unit),
            row.status,
        )
    console.print(table)
    for line in notes:
        console.print(line, highlight=False)


@app.command()
def export(
    output: Path = typer.Option(..., "--output", help="CSV file to write"),
    since: datetime = SINCE,
    until: datetime = UNTIL,
    grain: str = GRAIN,
    names: list[str] = MEASURE,
) -> None:
    """Every measure, period and group as CSV, with baselines and targets."""
    text = board.to_csv(_board(since, until, grain, names))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    console.print(f"{text.count(chr(10)) - 1:,} rows written to {output}", highlight=False)


@app.command()
def baseline(
    name: str = typer.Argument(..., help="The measure"),
    since: datetime = typer.Option(..., "--from", formats=["%Y-%m-%d"], help="First day"),
    until: datetime = typer.Option(..., "--to", formats=["%Y-%m-%d"], help="Day after the last"),
) -> None:
    """Set the baseline period of a measure (its value is computed from the data)."""
    try:
        with store_engine() as engine, engine.begin() as connection:
            setting = targets_repo.set_baseline(
                connection, name, since.date().isoformat(), until.date().isoformat(), actor=ACTOR
            )
    except (targets_repo.TargetError, catalogue.UnknownMeasureError) as error:
        raise fail(str(error)) from None
    console.print(
        f"baseline of {name}: {setting.baseline_from} to {setting.baseline_to} (exclusive)"
    )


@app.command()
def target(
    name: str = typer.Argument(..., help="The measure"),
    value: float = typer.Argument(..., help="The value to reach (a share as 0.95)"),
    by: datetime = typer.Option(None, "--by", formats=["%Y-%m-%d"], help="Day to reach it by"),
    note: str = typer.Option(None, "--note", help="Why this target"),
) -> None:
    """Set the target of a measure."""
    try:
        with store_engine() as engine, engine.begin() as connection:
            setting = targets_repo.set_target(
                connection,
                name,
                value,
                by=by.date().isoformat() if by else None,
                note=note,
                actor=ACTOR,
            )
    except (targets_repo.TargetError, catalogue.UnknownMeasureError) as error:
        raise fail(str(error)) from None
    when = f" by {setting.target_by}" if setting.target_by else ""
    console.print(f"target of {name}: {setting.target}{when}")
