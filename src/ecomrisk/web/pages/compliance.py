"""Compliance measurement for analysts and programme managers: the sample design
in force and its strata, what the random sample measured (with a plot), and a
form to make a new design (``ecomrisk compliance design|report``)."""

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.compliance import designs_repo, frame, service
from ecomrisk.compliance.design import DesignError
from ecomrisk.compliance.report import Report
from ecomrisk.compliance.strata import STRATIFIERS, StrataError, parse_by
from ecomrisk.domain.enums import Role
from ecomrisk.settings import Settings
from ecomrisk.store.sessions_repo import Session
from ecomrisk.web.auth import actor, allow
from ecomrisk.web.templating import render

router = APIRouter()

COMPLIANCE_ROLES = (Role.ANALYST, Role.PROGRAMME_MANAGER)
Measurer = Annotated[Session, Depends(allow(*COMPLIANCE_ROLES))]
MAX_STRATA_SHOWN = 200  # the design can hold many strata; the page shows the largest


def _by(text: str | None, engine: EngineDep) -> tuple[str, ...]:
    """The stratifiers asked for, else those of the design in force, else all."""
    if text:
        try:
            return parse_by(text)
        except StrataError as error:
            raise HTTPException(422, str(error)) from None
    with engine.connect() as connection:
        current = designs_repo.latest(connection)
    return current.by if current else STRATIFIERS


def _period(since: date | None, until: date | None) -> frame.Period:
    if since and until and since >= until:
        raise HTTPException(422, f"to: {until} must come after from: {since}")
    return frame.Period(since, until)


def _report(
    engine: EngineDep, settings: Settings, period: frame.Period, by: tuple[str, ...]
) -> Report:
    with engine.connect() as connection:
        return service.report(connection, settings, period, by)


@router.get("/compliance")
async def compliance(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: Measurer,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The design in force and what the random sample measured in the period."""
    stratifiers = _by(by, engine)
    period = _period(since, until)
    with engine.connect() as connection:
        current = designs_repo.latest(connection)
    result = await run_in_threadpool(_report, engine, settings, period, stratifiers)
    return render(
        request,
        "compliance.html",
        design=current,
        strata=sorted(current.strata, key=lambda s: -s["population"])[:MAX_STRATA_SHOWN]
        if current
        else [],
        report=result,
        since=since,
        until=until,
        by=",".join(stratifiers),
        stratifiers=STRATIFIERS,
    )


def _png(result: Report) -> bytes:
    from ecomrisk.compliance.plots import plot_report  # matplotlib on demand

    with tempfile.TemporaryDirectory() as folder:
        return plot_report(result, Path(folder) / "report.png").read_bytes()


@router.get("/compliance/report.png")
async def report_plot(
    engine: EngineDep,
    settings: SettingsDep,
    session: Measurer,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Compliance with its interval by stratum and overall, and the lift, as a PNG."""
    stratifiers = _by(by, engine)
    result = await run_in_threadpool(_report, engine, settings, _period(since, until), stratifiers)
    if result.overall is None:
        raise HTTPException(404, "no usable random-sample exams in the period: nothing to plot")
    return Response(await run_in_threadpool(_png, result), media_type="image/png")


@router.post("/compliance/designs")
def new_design(
    request: Request,
    engine: EngineDep,
    session: Measurer,
    margin: Annotated[float, Form(gt=0, lt=1)],
    expected_rate: Annotated[float, Form(gt=0, lt=1)],
    confidence: Annotated[float, Form(ge=0.5, lt=1)],
    allocation: Annotated[Literal["per_stratum", "overall"], Form()],
    by: Annotated[list[str], Form()],
    since: Annotated[date | None, Form(alias="from")] = None,
    until: Annotated[date | None, Form(alias="to")] = None,
) -> Response:
    """Size and store a new design; it is in force from now on (selection draws by it)."""
    try:
        stratifiers = parse_by(",".join(by))
        service.new_design(
            engine,
            _period(since, until),
            stratifiers,
            expected_rate=expected_rate,
            margin=margin,
            confidence=confidence,
            allocation=allocation,
            actor=actor(session),
        )
    except (DesignError, StrataError) as error:
        raise HTTPException(422, str(error)) from None
    return RedirectResponse("/app/compliance", status_code=303)
