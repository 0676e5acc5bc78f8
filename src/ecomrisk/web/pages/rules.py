"""Rule sets for analysts: list, read, edit and validate, publish as a draft,
backtest, compare in shadow, promote."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Row, func, select
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.features.registry import known_features
from ecomrisk.risk import rulesets_repo, shadow
from ecomrisk.risk.backtest import BacktestReport, backtest
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.rules import RuleFileError, parse_ruleset
from ecomrisk.store.schema import rulesets
from ecomrisk.web.auth import Analyst, RuleReader, actor
from ecomrisk.web.templating import render

router = APIRouter()

MAX_SOURCE = 200_000
STATUSES = ("draft", "shadow", "live", "retired")
_VERSION_LINE = re.compile(r"^version:\s*\d+\s*$", re.M)


def _row(engine: EngineDep, label: str) -> Row[Any]:
    name, _, version = label.partition("@")
    if not version.isdecimal() or len(version) > 9:
        raise HTTPException(404, f"{label!r}: name a rule set as NAME@VERSION, e.g. default@2")
    with engine.connect() as connection:
        row = connection.execute(
            select(rulesets).where(rulesets.c.name == name, rulesets.c.version == int(version))
        ).one_or_none()
    if row is None:
        raise HTTPException(404, f"no rule set {label}")
    return row


@router.get("/rules")
def rules(request: Request, engine: EngineDep, session: RuleReader) -> Response:
    """Every rule set version and its status."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(rulesets).order_by(rulesets.c.name, rulesets.c.version.desc()).limit(500)
        ).all()
    return render(request, "rules.html", rulesets=rows)


@router.get("/rules/{label}")
def ruleset(request: Request, label: str, engine: EngineDep, session: RuleReader) -> Response:
    """One version: its YAML, status and what an analyst can do with it."""
    row = _row(engine, label)
    return render(request, "ruleset.html", row=row, label=label, statuses=STATUSES)


def _next_version_source(engine: EngineDep, row: Row[Any]) -> str:
    """The source with ``version:`` raised past the highest stored version of its name."""
    with engine.connect() as connection:
        highest = connection.execute(
            select(func.max(rulesets.c.version)).where(rulesets.c.name == row.name)
        ).scalar_one()
    source: str = row.source
    return _VERSION_LINE.sub(f"version: {highest + 1}", source, count=1)


@router.get("/rules/{label}/edit")
def edit(request: Request, label: str, engine: EngineDep, session: Analyst) -> Response:
    """Edit a copy of a version as the next version."""
    row = _row(engine, label)
    return render(request, "rule_edit.html", source=_next_version_source(engine, row), origin=label)


def _problems(source: str) -> list[str]:
    try:
        parse_ruleset(source, "editor", known_features())
    except RuleFileError as error:
        return str(error).splitlines()
    return []


@router.post("/rules/validate")
def validate(
    request: Request,
    session: Analyst,
    source: Annotated[str, Form(max_length=MAX_SOURCE)],
) -> Response:
    """Check the edited YAML; every problem names line, field and problem."""
    return render(request, "rule_problems.html", problems=_problems(source), checked=True)


@router.post("/rules")
def publish(
    request: Request,
    engine: EngineDep,
    session: Analyst,
    source: Annotated[str, Form(max_length=MAX_SOURCE)],
    origin: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Publish the edited YAML as a new draft version."""
    problems = _problems(source)
    if not problems:
        try:
            with engine.begin() as connection:
                published = rulesets_repo.publish(connection, source, actor(session), "editor")
        except (RuleFileError, rulesets_repo.RulesetError) as error:
            problems = str(error).splitlines()
    if problems:
        return render(
            request, "rule_edit.html", 422, source=source, origin=origin, problems=problems
        )
    return RedirectResponse(f"/app/rules/{published.label}", status_code=303)


@router.post("/rules/{label}/status")
def change_status(
    label: str,
    engine: EngineDep,
    session: Analyst,
    status: Annotated[Literal["draft", "shadow", "live", "retired"], Form()],
) -> Response:
    """Move a version to draft, shadow, live (promote: the live one is retired) or retired."""
    _row(engine, label)
    with engine.begin() as connection:
        rulesets_repo.set_status(connection, label, status, actor(session))
    return RedirectResponse(f"/app/rules/{label}", status_code=303)


def _moment(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


@router.post("/rules/{label}/backtest")
async def run_backtest(
    request: Request,
    label: str,
    engine: EngineDep,
    settings: SettingsDep,
    session: Analyst,
    since: Annotated[date | None, Form(alias="from")] = None,
    until: Annotated[date | None, Form(alias="to")] = None,
) -> Response:
    """Backtest a version on the history received in [from, to)."""
    row = _row(engine, label)

    def run() -> BacktestReport:
        with engine.connect() as connection:
            loaded = rulesets_repo.load(connection, label)
        return backtest(
            engine, loaded, feature_context(engine, settings), _moment(since), _moment(until)
        )

    report = await run_in_threadpool(run)
    return render(
        request, "backtest.html", row=row, label=label, report=report, since=since, until=until
    )


@router.get("/rules/{label}/shadow")
def shadow_comparison(
    request: Request, label: str, engine: EngineDep, session: RuleReader
) -> Response:
    """What the version decided in shadow beside the live lanes of the same shipments."""
    row = _row(engine, label)
    with engine.connect() as connection:
        comparison = shadow.compare(connection, label)
    return render(request, "shadow.html", row=row, label=label, comparison=comparison)
