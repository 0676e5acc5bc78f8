"""Risk models for analysts: every version with its key figures, one version's
evaluation report with its plots, and the status changes of ``ecomrisk model``
(promote, shadow, retire, roll back) through the same registry functions."""

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep
from ecomrisk.domain.enums import Role
from ecomrisk.risk.model import registry
from ecomrisk.store.sessions_repo import Session
from ecomrisk.web.auth import Analyst, actor, allow
from ecomrisk.web.templating import render

router = APIRouter()

MODEL_READERS = (Role.ANALYST, Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
ModelReader = Annotated[Session, Depends(allow(*MODEL_READERS))]
PLOTS = ("calibration", "precision")


def _stored(engine: EngineDep, label: str) -> registry.StoredModel:
    try:
        with engine.connect() as connection:
            return registry.load(connection, label)
    except registry.ModelRegistryError as error:  # not found, or not NAME@VERSION
        raise HTTPException(404, str(error)) from None


def summary(stored: registry.StoredModel) -> dict[str, Any]:
    """The figures the list shows: the random sample's, which stand for the whole flow."""
    figures = stored.details.get("metrics", {}).get("populations", {}).get("random_sample", {})
    return {
        "label": stored.label,
        "status": stored.status,
        "created_by": stored.created_by,
        "created_at": stored.created_at,
        "promoted_at": stored.promoted_at,
        "window": stored.details.get("window", {}),
        "examples": figures.get("examples", 0),
        "auc": figures.get("auc"),
        "brier": figures.get("brier"),
        "precision_5": (figures.get("precision") or {}).get("5%"),
    }


@router.get("/models")
def models(request: Request, engine: EngineDep, session: ModelReader) -> Response:
    """Every model version, its status and its test figures."""
    with engine.connect() as connection:
        stored = registry.listing(connection)
    rows = [summary(m) for m in reversed(stored)]
    return render(
        request,
        "models.html",
        models=rows,
        can_change=session.user.has_any(frozenset({Role.ANALYST})),
    )


@router.get("/models/{label}")
def model(request: Request, label: str, engine: EngineDep, session: ModelReader) -> Response:
    """One version's evaluation report (its test slice, never seen in training)."""
    stored = _stored(engine, label)
    return render(
        request,
        "model.html",
        model=summary(stored),
        details=stored.details,
        report=stored.details.get("metrics") or {},
        plots=PLOTS,
        can_change=session.user.has_any(frozenset({Role.ANALYST})),
    )


def _png(label: str, report: dict[str, Any], plot: str) -> bytes:
    from ecomrisk.risk.model.plots import calibration_png, precision_png  # matplotlib on demand

    draw = calibration_png if plot == "calibration" else precision_png
    with tempfile.TemporaryDirectory() as folder:
        path = draw({**report, "model": label}, Path(folder) / "plot.png")
        return path.read_bytes()


@router.get("/models/{label}/{plot}.png")
async def model_plot(
    label: str,
    plot: Literal["calibration", "precision"],
    engine: EngineDep,
    session: ModelReader,
) -> Response:
    """A plot of the evaluation report as a PNG (an image of our own origin, as CSP wants)."""
    stored = _stored(engine, label)
    report = stored.details.get("metrics") or {}
    if not report.get("populations"):
        raise HTTPException(404, f"{label} has no evaluation report to plot")
    png = await run_in_threadpool(_png, stored.label, report, plot)
    return Response(png, media_type="image/png")


@router.post("/models/rollback")
def rollback(engine: EngineDep, session: Analyst) -> Response:
    """Retire the live model and make the one live before it live again."""
    try:
        with engine.begin() as connection:
            _, restored = registry.rollback(connection, actor(session))
    except registry.ModelRegistryError as error:
        raise HTTPException(409, str(error)) from None
    return RedirectResponse(f"/app/models/{restored}", status_code=303)


@router.post("/models/{label}/status")
def change_status(
    label: str,
    engine: EngineDep,
    session: Analyst,
    status: Annotated[Literal["draft", "shadow", "live", "retired"], Form()],
) -> Response:
    """Promote (live; the live one is retired), shadow, retire or return to draft."""
    stored = _stored(engine, label)
    if stored.status == status:
        raise HTTPException(409, f"{stored.label} is {status} already")
    with engine.begin() as connection:
        registry.set_status(connection, stored.label, status, actor(session))
    return RedirectResponse(f"/app/models/{stored.label}", status_code=303)
