"""Performance measures: the dashboard (plots against baseline and target), its CSV
export and printable report; programme managers set baselines and targets."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.measures import board, catalogue, targets_repo
from ecomrisk.measures.periods import PeriodError, grain_of
from ecomrisk.web.auth import MeasureReader, ProgrammeManager, actor
from ecomrisk.web.templating import render

router = APIRouter()

Grain = Annotated[str, Query(pattern="^(day|week|month)$")]
Since = Annotated[str, Query(alias="from", max_length=10)]
Until = Annotated[str, Query(alias="to", max_length=10)]
Name = Annotated[str, Path(max_length=50, pattern="^[a-z_]+$")]


def query_day(field: str, text: str) -> date | None:
    """A date from a form's query field; empty (the form sends every field) is None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"{field}: {text!r} is not a date (YYYY-MM-DD)") from None


def _known(name: str) -> catalogue.Measure:
    try:
        return catalogue.measure(name)
    except catalogue.UnknownMeasureError as error:
        raise HTTPException(404, str(error)) from None


def _board(
    engine: EngineDep,
    settings: SettingsDep,
    grain: str,
    since: str,
    until: str,
    names: list[str] | None = None,
) -> tuple[board.Board, str]:
    first, after = board.default_window()
    first = query_day("from", since) or first
    after = query_day("to", until) or after
    try:
        with engine.connect() as connection:
            context = board.context_for(connection, settings)
            built = board.build(connection, context, first, after, grain_of(grain), names)
    except PeriodError as error:
        raise HTTPException(422, str(error)) from None
    return built, context.currency


def _page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    grain: str,
    since: str,
    until: str,
    template: str = "measures.html",
    status: int = 200,
    problems: list[str] | None = None,
) -> Response:
    built, currency = _board(engine, settings, grain, since, until)
    window = {"grain": grain, "from": built.since.isoformat(), "to": built.until.isoformat()}
    return render(
        request,
        template,
        status,
        board=built,
        currency=currency,
        window=window,
        problems=problems or [],
    )


@router.get("/measures")
def dashboard(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: MeasureReader,
    grain: Grain = "week",
    since: Since = "",
    until: Until = "",
) -> Response:
    """Each measure over time against its baseline and target."""
    return _page(request, engine, settings, grain, since, until)


@router.get("/measures/report")
def report(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: MeasureReader,
    grain: Grain = "month",
    since: Since = "",
    until: Until = "",
) -> Response:
    """The same measures as a printable report (print styles, no navigation)."""
    return _page(request, engine, settings, grain, since, until, "measures_report.html")


@router.get("/measures/export.csv")
def export(
    engine: EngineDep,
    settings: SettingsDep,
    session: MeasureReader,
    grain: Grain = "week",
    since: Since = "",
    until: Until = "",
) -> Response:
    """Every measure, period and group as CSV, with baselines and targets."""
    built, _ = _board(engine, settings, grain, since, until)
    filename = f"measures-{built.since}-{built.until}-{built.grain}.csv"
    return Response(
        board.to_csv(built),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/measures/{name}/plot.png")
def plot(
    name: Name,
    engine: EngineDep,
    settings: SettingsDep,
    session: MeasureReader,
    grain: Grain = "week",
    since: Since = "",
    until: Until = "",
) -> Response:
    """One measure's plot."""
    _known(name)
    built, currency = _board(engine, settings, grain, since, until, [name])
    from ecomrisk.measures.plots import plot_row  # Matplotlib only when plotting

    return Response(plot_row(built.rows[0], currency), media_type="image/png")


@router.post("/measures/{name}/baseline")
def set_baseline(
    request: Request,
    name: Name,
    engine: EngineDep,
    settings: SettingsDep,
    session: ProgrammeManager,
    baseline_from: Annotated[str, Form(max_length=10)],
    baseline_to: Annotated[str, Form(max_length=10)],
) -> Response:
    """Set the baseline period (its value is computed from the data)."""
    _known(name)
    try:
        with engine.begin() as connection:
            targets_repo.set_baseline(
                connection, name, baseline_from, baseline_to, actor=actor(session)
            )
    except targets_repo.TargetError as error:
        return _page(request, engine, settings, "week", "", "", status=422, problems=[str(error)])
    return RedirectResponse(f"/app/measures#{name}", status_code=303)


@router.post("/measures/{name}/target")
def set_target(
    request: Request,
    name: Name,
    engine: EngineDep,
    settings: SettingsDep,
    session: ProgrammeManager,
    target: Annotated[str, Form(max_length=30)],
    target_by: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Set the value the measure should reach."""
    _known(name)
    try:
        try:
            value = float(target)
        except ValueError:
            raise targets_repo.TargetError(f"target: {target!r} is not a number") from None
        with engine.begin() as connection:
            targets_repo.set_target(
                connection,
                name,
                value,
                by=target_by or None,
                note=note or None,
                actor=actor(session),
            )
    except targets_repo.TargetError as error:
        return _page(request, engine, settings, "week", "", "", status=422, problems=[str(error)])
    return RedirectResponse(f"/app/measures#{name}", status_code=303)
