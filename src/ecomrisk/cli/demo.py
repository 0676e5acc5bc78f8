"""``ecomrisk demo``: the whole product end to end on the embedded default, then
the app served with one demo account per role."""

import typer
from rich.table import Table

from ecomrisk.cli._common import console, settings, stage_progress, store_engine
from ecomrisk.cli.serve import DEFAULT_PORT
from ecomrisk.demo import DemoReport, run_demo, run_product
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.store import migrate
from ecomrisk.store.fx_repo import latest_rates, save_rates
from ecomrisk.web.demo_accounts import format_accounts, seed_demo_accounts

# A world of this size trains a model worth looking at (AUC ~0.8 on the random
# sample; 5,000 shipments gave 0.5) and runs in a few minutes on 2 cores.
DEFAULT_SHIPMENTS = 20_000


def demo(
    shipments: int = typer.Option(
        DEFAULT_SHIPMENTS, min=200, max=1_000_000, help="Size of the synthetic world"
    ),
    seed: int = typer.Option(42, help="Seed of the synthetic world and of every draw"),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the app when done (--no-serve: stop there)"
    ),
    host: str = typer.Option("127.0.0.1", help="Interface to serve on"),
    port: int = typer.Option(DEFAULT_PORT, min=1, max=65535, help="TCP port to serve on"),
) -> None:
    """The whole product on the embedded default: simulate, file and decide, screen,
    resolve the network, backtest, train and promote a model, rescore, set up
    facilities, design the compliance sample, select; then serve the app."""
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
            run_product(engine, config, report, advance, seed)
        with engine.begin() as connection:
            accounts = seed_demo_accounts(connection)
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
    _print_product(report)
    url = f"http://{host}:{port}"
    console.print(format_accounts(accounts, url), highlight=False)
    if report.facilities and report.selection_days:
        console.print(
            f"the queue of a facility: {url}/app/queue?facility={report.facilities[0]}"
            f"&day={report.selection_days[0]}",
            highlight=False,
        )
    console.rule("done")
    if serve:
        import uvicorn

        console.print(f"serving {url}/app/ — Ctrl+C to stop", highlight=False)
        uvicorn.run("ecomrisk.api.asgi:app", host=host, port=port, log_level="warning")


def _print_product(report: DemoReport) -> None:
    auc = "-" if report.model_auc is None else f"{report.model_auc:.3f}"
    model = (
        f"{report.model} live (AUC on the random sample {auc})"
        if report.model
        else f"none, deciding on rules alone ({report.model_problem})"
    )
    console.print(
        f"model: {model}; "
        f"rescored {report.rescored:,} shipments; networks: {report.networks:,}; "
        f"compliance design {report.design}"
    )
    table = Table("facility", *(str(d) for d in report.selection_days), title="Selected to examine")
    for code in report.facilities:
        table.add_row(
            code, *(f"{report.selected.get(f'{code} {d}', 0):,}" for d in report.selection_days)
        )
    console.print(table)
