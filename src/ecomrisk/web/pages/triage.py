"""The analysts' triage queue of public reports: the list, one report with its
evidence files, links to parties and network entities (which the risk engine
reads as intelligence), and the outcome."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep
from ecomrisk.portal import reports_repo
from ecomrisk.portal.reports import OUTCOMES, STATUSES, VIOLATION_TYPES
from ecomrisk.web.auth import Triager, actor
from ecomrisk.web.pages.shipment import MAX_ID
from ecomrisk.web.templating import render

router = APIRouter()

PAGE_SIZE = 100
Reference = Annotated[str, Path(max_length=20, pattern=r"^RPT-[A-Z0-9]{4}-[A-Z0-9]{4}$")]


@router.get("/triage")
def queue(
    request: Request,
    engine: EngineDep,
    session: Triager,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Reports from the public portal, untriaged first."""
    if status and status not in STATUSES:
        raise HTTPException(422, f"status: one of {', '.join(STATUSES)}")
    with engine.connect() as connection:
        found, total = reports_repo.queue(
            connection, status or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "triage.html",
        reports=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        status=status,
        statuses=STATUSES,
        violation_types=VIOLATION_TYPES,
    )


def _show(
    request: Request, engine: EngineDep, reference: str, name: str, code: int = 200, **extra: object
) -> Response:
    with engine.connect() as connection:
        try:
            report = reports_repo.get(connection, reference)
        except reports_repo.ReportError as error:
            raise HTTPException(404, str(error)) from None
        found = reports_repo.candidates(connection, name or report.row.violator_name)
    return render(
        request,
        "report.html",
        code,
        report=report,
        candidates=found,
        search_name=name or report.row.violator_name,
        outcomes=OUTCOMES,
        violation_types=VIOLATION_TYPES,
        **extra,
    )


@router.get("/triage/{reference}")
def report(
    request: Request,
    engine: EngineDep,
    session: Triager,
    reference: Reference,
    name: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """One report, its files and links; parties whose name resembles ``name``
    (the alleged violator's, unless searched for another)."""
    return _show(request, engine, reference, name)


@router.get("/triage/{reference}/files/{file_id}")
def evidence(
    engine: EngineDep,
    session: Triager,
    reference: Reference,
    file_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """An evidence file, as a download (never shown inline: it came from the public)."""
    with engine.connect() as connection:
        try:
            row = reports_repo.file_content(connection, reference, file_id)
        except reports_repo.ReportError as error:
            raise HTTPException(404, str(error)) from None
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in row.filename)
    return Response(
        row.content,
        media_type=row.media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


@router.post("/triage/{reference}/links")
def link(
    request: Request,
    engine: EngineDep,
    session: Triager,
    reference: Reference,
    kind: Annotated[str, Form(max_length=10)],
    target: Annotated[str, Form(max_length=200)],
) -> Response:
    """Link the report to a party name or a network entity: new filings naming
    them are decided with the report as intelligence."""
    try:
        with engine.begin() as connection:
            reports_repo.link(connection, reference, kind, target, actor(session))
    except reports_repo.ReportError as error:
        if str(error).startswith("no report"):
            raise HTTPException(404, str(error)) from None
        return _show(request, engine, reference, "", 422, problems=[str(error)])
    return RedirectResponse(f"/app/triage/{reference}", status_code=303)


@router.post("/triage/{reference}/outcome")
def outcome(
    request: Request,
    engine: EngineDep,
    session: Triager,
    reference: Reference,
    outcome: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record the outcome: substantiated, unsubstantiated, duplicate or referred."""
    try:
        with engine.begin() as connection:
            reports_repo.record_outcome(connection, reference, outcome, note, actor(session))
    except reports_repo.ReportError as error:
        if str(error).startswith("no report"):
            raise HTTPException(404, str(error)) from None
        return _show(request, engine, reference, "", 422, problems=[str(error)])
    return RedirectResponse(f"/app/triage/{reference}", status_code=303)
