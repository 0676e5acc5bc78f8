"""``ecomrisk compliance``: design the random sample and report what it measured."""

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from ecomrisk.cli._common import ENGINE_OPTION, chosen_engine, console, fail, settings, store_engine
from ecomrisk.compliance import designs_repo, frame, service
from ecomrisk.compliance.design import DesignError
from ecomrisk.compliance.estimators import Interval
from ecomrisk.compliance.strata import StrataError, parse_by

app = typer.Typer(help="Compliance measurement: sample designs and reports.", no_args_is_help=True)

ACTOR = "cli"
BY = typer.Option("mode,region,hs,trusted", "--by", help="Stratifiers: mode, region, hs, trusted")
SINCE = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day of arrival")
UNTIL = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Day after the last")


def _period(since: datetime | None, until: datetime | None) -> frame.Period:
    return frame.Period(since.date() if since else None, until.date() if until else None)


def _by(text: str) -> tuple[str, ...]:
    try:
        return parse_by(text)
    except StrataError as error:
        raise fail(str(error)) from None


@app.command()
def design(
    margin: float = typer.Option(0.02, "--margin", help="Target margin of error (+/-) of a rate"),
    expected_rate: float = typer.Option(0.05, "--expected-rate", help="Expected violation rate"),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level"),
    by: str = BY,
    allocation: str = typer.Option(
        "per_stratum", "--allocation", help="per_stratum (each to the margin) or overall"
    ),
    since: datetime = SINCE,
    until: datetime = UNTIL,
    output: Path = typer.Option(None, "--output", help="Also write the design as JSON here"),
) -> None:
    """Size the random sample by stratum from a margin and an expected rate (with FPC); stored."""
    stratifiers = _by(by)
    period = _period(since, until)
    with store_engine() as engine:
        try:
            made = service.new_design(
                engine,
                period,
                stratifiers,
                expected_rate=expected_rate,
                margin=margin,
                confidence=confidence,
                allocation=allocation,
                actor=ACTOR,
            )
        except DesignError as error:
            raise fail(str(error)) from None
    design_id, parameters, strata = made.id, made.parameters, made.strata
    document = {"id": design_id, **designs_repo.as_json(parameters, strata)}
    table = Table("stratum", "population", "sample", "rate", title=f"Sample design {design_id}")
    for s in strata:
        table.add_row(s.stratum, f"{s.population:,}", f"{s.sample_size:,}", f"{s.rate:.2%}")
    console.print(table)
    total, sample = document["total_population"], document["total_sample"]
    console.print(
        f"{sample:,} exams for {total:,} shipments ({sample / total:.2%}); selection now draws "
        "each stratum at its rate, never below the profile's floors (trusted strata: never above "
        "the ordinary floor)"
    )
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(document, indent=2) + "\n")
        console.print(f"written to {output}", highlight=False, soft_wrap=True)


def _interval(interval: Interval, percent: bool = True) -> str:
    if percent:
        return f"{interval.estimate:.1%} [{interval.low:.1%}, {interval.high:.1%}]"
    return f"{interval.estimate:,.0f} [{interval.low:,.0f}, {interval.high:,.0f}]"


@app.command()
def report(
    since: datetime = SINCE,
    until: datetime = UNTIL,
    by: str = BY,
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level"),
    interval: str = typer.Option("auto", "--interval", help="auto, wilson or exact"),
    output: Path = typer.Option(None, "--output", help="JSON file (default: data dir)"),
    plot: Path = typer.Option(None, "--plot", help="PNG file (default: beside the JSON)"),
    engine_name: str = ENGINE_OPTION,
) -> None:
    """Compliance, major-violation rate and revenue gap with intervals, by stratum; lift; plot.

    ``--engine``: the estimators' sums by stratum run on that batch engine."""
    stratifiers = _by(by)
    batch = chosen_engine(engine_name) if engine_name else None
    period = _period(since, until)
    config = settings()
    with store_engine() as engine, engine.connect() as connection:
        try:
            with console.status("reading the population and the exams"):
                result = service.report(
                    connection,
                    config,
                    period,
                    stratifiers,
                    confidence=confidence,
                    method=interval,
                    batch=batch,
                )
        except (LookupError, ValueError) as error:
            raise fail(str(error)) from None
    output = output or config.data_dir / "compliance-report.json"
    plot = plot or output.with_suffix(".png")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result.as_json(), indent=2) + "\n")
    if result.overall is None:
        console.print(
            f"no usable random-sample exams in the period ({result.unusable} without an "
            f"inclusion probability, {result.inconclusive} inconclusive)"
        )
        return
    from ecomrisk.compliance.plots import plot_report  # Matplotlib only when plotting

    plot_report(result, plot)
    table = Table(
        "stratum",
        "population",
        "exams",
        "compliance",
        "major violations",
        f"revenue gap ({result.currency})",
        title=f"Compliance from {result.sampled:,} random exams ({confidence:.0%} intervals)",
    )
    for row in [result.overall, *result.strata]:
        table.add_row(
            row.stratum,
            f"{row.population:,}" if row.population else "-",
            f"{row.sampled:,}",
            _interval(row.compliance),
            _interval(row.major_violation),
            _interval(row.revenue_gap, percent=False),
        )
    console.print(table)
    if result.unsampled_strata:
        console.print(
            f"[yellow]{len(result.unsampled_strata)} strata ({result.unsampled_population:,} "
            "shipments) had no random exam: the overall rate covers the sampled strata only[/]"
        )
    lift = result.lift
    if lift and lift.estimate is not None:
        console.print(
            f"lift of targeting: {lift.estimate:.2f}x [{lift.low:.2f}, {lift.high:.2f}] "
            f"(targeted hit rate {lift.targeted_rate:.1%} over {lift.targeted_n:,} exams, "
            f"random violation rate {lift.random_rate:.1%})"
        )
    else:
        console.print("lift of targeting: not estimable (no targeted hits or no random violations)")
    console.print(f"report: {output}\nplot: {plot}", highlight=False, soft_wrap=True)
