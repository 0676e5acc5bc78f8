"""``ecomrisk demo``: the main job end to end on the embedded default."""

import typer
from rich.table import Table

from ecomrisk.cli._common import console, settings, stage_progress, store_engine
from ecomrisk.demo import run_demo
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.store import migrate
from ecomrisk.store.fx_repo import latest_rates, save_rates


def demo(
    shipments: int = typer.Option(5_000, help="Size of the synthetic world"),
    seed: int = typer.Option(42, help="Seed of the synthetic world"),
) -> None:
    """Run the main job on the embedded default: simulate, file, decide, screen, backtest."""
    config = settings()
    profile = load_profile(config.jurisdiction)
    console.rule("[bold]ecomrisk demo")
    with store_engine() as engine:
        migrate.upgrade(engine)
        url = engine.url.render_as_string(hide_password=True)
        console.print(f"store: {url} at {migrate.status(engine).current}")
        console.print(f"jurisdiction: {profile.id} — {profile.name}")
        with engine.begin() as connection:
            if latest_rates(connection) is None:
                rates = bundled_rates()
                save_rates(connection, rates)
                console.print(f"loaded {len(rates.per_eur)} exchange rates of {rates.as_of}")
        with stage_progress() as advance:
            report = run_demo(engine, config, advance, shipments, seed)
    console.print(f"synthetic world: {report.world}")
    console.print(
        f"filings: {report.filed:,} accepted and decided, {report.refused:,} refused; "
        f"exam outcomes: {report.outcomes:,}"
    )
    lanes = Table("lane", "shipments", title="Live decisions")
    for lane in ("release", "document_review", "scan", "physical", "hold"):
        lanes.add_row(lane, f"{report.lanes.get(lane, 0):,}")
    console.print(lanes)
    console.print(
        "screening hits: "
        + ", ".join(f"{name} {count}" for name, count in sorted(report.screening_hits.items()))
    )
    if report.backtest is not None:
        table = Table(
            "rule",
            "hits",
            "inspected",
            "violations",
            "precision",
            title=f"Backtest of {report.backtest.ruleset}",
        )
        for result in report.backtest.rules:
            precision = "-" if result.precision is None else f"{result.precision:.0%}"
            table.add_row(
                result.rule_id,
                f"{result.hits:,}",
                f"{result.inspected:,}",
                f"{result.violations:,}",
                precision,
            )
        console.print(table)
    console.print(
        "next: `ecomrisk serve` (the filer API), `ecomrisk rules backtest default@1`, "
        "`ecomrisk decisions explain 1`"
    )
    console.rule("done")
