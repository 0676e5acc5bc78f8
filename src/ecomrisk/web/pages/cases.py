"""Enforcement cases: the list with overdue deadlines flagged, one case, its next step."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.enforcement import cases_repo
from ecomrisk.enforcement.lifecycle import LABELS, STATUS_AFTER, CaseError, Step
from ecomrisk.web import queue_source
from ecomrisk.web.auth import Officer, actor
from ecomrisk.web.pages.shipment import MAX_ID, periods
from ecomrisk.web.templating import render

router = APIRouter()

PAGE_SIZE = 50
STATUSES = sorted(set(STATUS_AFTER.values()))


@router.get("/cases")
def cases(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: Officer,
    status: Annotated[str | None, Query(max_length=20)] = None,
    facility: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Cases, newest first, with their open deadlines; overdue ones flagged."""
    if status and status not in STATUSES:
        raise HTTPException(422, f"status: one of {', '.join(STATUSES)}")
    with engine.connect() as connection:
        found, total = cases_repo.list_cases(
            connection,
            periods(settings),
            status=status or None,
            facility=facility or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        places = queue_source.facilities(connection)
    return render(
        request,
        "cases.html",
        cases=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        statuses=STATUSES,
        status=status,
        facility=facility,
        facilities=places,
    )


@router.get("/cases/{case_id}")
def case(
    request: Request,
    case_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    engine: EngineDep,
    settings: SettingsDep,
    session: Officer,
) -> Response:
    """One case: every step with when and who, its deadlines, the next steps possible."""
    with engine.connect() as connection:
        found = cases_repo.get_case(connection, case_id, periods(settings))
    if found is None:
        raise HTTPException(404, f"no case {case_id}")
    return render(request, "case.html", case=found, labels=LABELS)


@router.post("/cases/{case_id}/steps")
def add_step(
    case_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    engine: EngineDep,
    session: Officer,
    step: Annotated[Step, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record the next step of a case (detention notice, seizure, release ...)."""
    try:
        with engine.begin() as connection:
            cases_repo.add_step(
                connection, case_id, step, actor=actor(session), note=note.strip() or None
            )
    except CaseError as error:
        status = 404 if str(error).startswith("case: no case") else 409
        raise HTTPException(status, str(error)) from None
    return RedirectResponse(f"/app/cases/{case_id}", status_code=303)
