"""``ecomrisk simulate-targeting``: compare targeting strategies on a synthetic world."""

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import console, fail, stage_progress
from ecomrisk.simulate.scenario import ScenarioError, load_scenario

SHIPPED_SCENARIO = "targeting.toml"


def simulate_targeting(
    out: Path = typer.Option(..., "--out", help="Folder for simulation.json and simulation.png"),
    scenario: Path = typer.Option(
        None, "--scenario", help="Scenario TOML; default: the shipped targeting.toml"
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of selection and training draws"),
    capacity: float = typer.Option(
        0.03, "--capacity", help="Share of each day's flow that can be inspected (0-1]"
    ),
    burn_in: int = typer.Option(2, "--burn-in-weeks", help="Weeks of shared past (old rules)"),
) -> None:
    """Week by week: inspect a capacity share, reveal what was inspected, retrain, compare
    strategies on violations, revenue, precision and how soon a new scheme is caught."""
    if not 0 < capacity <= 1:
        raise fail(f"--capacity {capacity}: must be in (0, 1]")
    if burn_in < 1:
        raise fail(f"--burn-in-weeks {burn_in}: at least one week is needed to train on")
    try:
        loaded = load_scenario(scenario, SHIPPED_SCENARIO)
    except ScenarioError as error:
        raise fail(str(error)) from None
    new = sorted(n for n, s in loaded.schemes.items() if s.start_day is not None)
    if not new:
        raise fail("the scenario has no scheme with a start_day: nothing new to catch")
    if loaded.days < (burn_in + 1) * 7:
        raise fail(f"the scenario has {loaded.days} days: fewer than {burn_in + 1} weeks")
    # XGBoost, pandas and matplotlib load for this command only.
    from ecomrisk.simulate.world import generate
    from ecomrisk.targeting.simulated_flow import build_flow
    from ecomrisk.targeting.simulation import Settings, simulate
    from ecomrisk.targeting.simulation_plot import simulation_png

    settings = Settings(capacity_share=capacity, burn_in_weeks=burn_in, seed=seed)
    start = datetime(loaded.start.year, loaded.start.month, loaded.start.day, tzinfo=UTC)
    with stage_progress() as advance:
        world = generate(loaded, advance)
        flow = build_flow(world, lambda done, total: advance("filings and features", done, total))
        report = simulate(
            flow,
            start,
            new[0],
            settings,
            progress=lambda done, total: advance("strategy-weeks", done, total),
        )
    report["settings"]["new_scheme_start_week"] = (loaded.schemes[new[0]].start_day or 0) // 7
    report["settings"]["scenario"] = str(scenario) if scenario else SHIPPED_SCENARIO
    report["settings"]["shipments"] = loaded.shipments
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "simulation.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        simulation_png(report, out / "simulation.png")
    except OSError as error:
        raise fail(f"--out {out}: cannot write: {error.strerror}") from None
    console.print(_table(report))
    console.print(f"wrote {out / 'simulation.json'} and {out / 'simulation.png'}")


def _table(report: dict[str, object]) -> Table:
    table = Table(
        "strategy", "week", "inspected", "violations", "precision", "revenue", "new scheme found"
    )
    strategies = report["strategies"]
    assert isinstance(strategies, dict)
    for name, figures in strategies.items():
        for week in figures["weeks"]:
            table.add_row(
                name,
                str(week["week"]),
                str(week["inspected"]),
                str(week["violations"]),
                f"{week['precision']:.2f}",
                f"{week['revenue']:,.0f}",
                f"{week['new_scheme_found']} of {week['new_scheme_shipments']}",
            )
        total = figures["total"]
        table.add_row(
            f"[bold]{name}[/]",
            "all",
            str(total["inspected"]),
            str(total["violations"]),
            f"{total['precision']:.2f}",
            f"{total['revenue']:,.0f}",
            f"{total['new_scheme_found']} of {total['new_scheme_shipments']}",
            end_section=True,
        )
    return table
