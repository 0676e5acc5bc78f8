"""The trusted-shipper programme for programme managers: applications, one
application with its criteria and evidence, the decision form."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.programme import repo
from ecomrisk.programme.criteria import load_thresholds
from ecomrisk.web.auth import ProgrammeManager, actor
from ecomrisk.web.templating import render

router = APIRouter()

PAGE_SIZE = 100
STATUSES = ("pending", "approved", "denied", "suspended", "revoked")
Reference = Annotated[str, Path(max_length=20, pattern=r"^TP-\d{6,}$")]


def _list(
    request: Request,
    engine: EngineDep,
    status: str | None,
    page: int,
    code: int = 200,
    **extra: object,
) -> Response:
    with engine.connect() as connection:
        found, total = repo.list_applications(
            connection, status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "programme.html",
        code,
        applications=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        status=status or "",
        statuses=STATUSES,
        roles=repo.ROLES,
        **extra,
    )


@router.get("/programme")
def applications(
    request: Request,
    engine: EngineDep,
    session: ProgrammeManager,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Applications, newest first, by status."""
    if status and status not in STATUSES:
        raise HTTPException(422, f"status: one of {', '.join(STATUSES)}")
    return _list(request, engine, status or None, page, form={})


@router.post("/programme")
def apply(
    request: Request,
    engine: EngineDep,
    session: ProgrammeManager,
    role: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)],
    contact: Annotated[str, Form(max_length=300)],
    country: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """Record an application received by the programme (importers, shippers; filers
    apply through the filer API)."""
    try:
        with engine.begin() as connection:
            app = repo.apply(
                connection,
                role=role,
                name=name,
                contact=contact,
                country=country or None,
                channel="app",
                actor=actor(session),
            )
    except repo.ProgrammeError as error:
        form = {"role": role, "name": name, "contact": contact, "country": country}
        return _list(request, engine, None, 1, 422, problems=[str(error)], form=form)
    return RedirectResponse(f"/app/programme/{app.reference}", status_code=303)


def _show(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    reference: str,
    code: int = 200,
    **extra: object,
) -> Response:
    thresholds = load_thresholds(settings.programme_criteria)
    with engine.connect() as connection:
        try:
            app = repo.get(connection, reference)
        except repo.ProgrammeError as error:
            raise HTTPException(404, str(error)) from None
        evaluation = repo.evaluation_of(connection, app, thresholds)
        history = repo.decisions_of(connection, app)
    return render(
        request,
        "application.html",
        code,
        app=app,
        evaluation=evaluation,
        history=history,
        possible=list(repo.TRANSITIONS.get(app.status, {})),
        **extra,
    )


@router.get("/programme/{reference}")
def application(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: ProgrammeManager,
    reference: Reference,
) -> Response:
    """One application: every criterion with its evidence and threshold, past decisions."""
    return _show(request, engine, settings, reference)


@router.post("/programme/{reference}/decision")
def decision(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: ProgrammeManager,
    reference: Reference,
    decision: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Approve, deny, suspend, reinstate or revoke, with a reason (audited)."""
    thresholds = load_thresholds(settings.programme_criteria)
    try:
        with engine.begin() as connection:
            repo.decide(
                connection, reference, decision, reason, actor=actor(session), thresholds=thresholds
            )
    except repo.ProgrammeError as error:
        if str(error).startswith("no application"):
            raise HTTPException(404, str(error)) from None
        return _show(
            request, engine, settings, reference, 422, problems=[str(error)], reason=reason
        )
    return RedirectResponse(f"/app/programme/{reference}", status_code=303)
