"""IPR recordations: everyone reads them, administrators keep them."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep
from ecomrisk.reference import ipr
from ecomrisk.web.auth import Administrator, IprReader, actor
from ecomrisk.web.pages.shipment import MAX_ID
from ecomrisk.web.templating import render

router = APIRouter()

PAGE_SIZE = 100


def _list(
    request: Request, engine: EngineDep, page: int, status: int = 200, **extra: object
) -> Response:
    with engine.connect() as connection:
        found, total = ipr.list_recordations(
            connection, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "ipr.html",
        status,
        recordations=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        **extra,
    )


@router.get("/ipr")
def recordations(
    request: Request,
    engine: EngineDep,
    session: IprReader,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Recorded trademarks, their owners and authorised manufacturers."""
    return _list(request, engine, page, form={})


@router.post("/ipr")
def create(
    request: Request,
    engine: EngineDep,
    session: Administrator,
    number: Annotated[str, Form(max_length=50)],
    trademark: Annotated[str, Form(max_length=200)],
    owner: Annotated[str, Form(max_length=200)],
    owner_contact: Annotated[str, Form(max_length=300)],
    authorised_manufacturers: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Add a recordation (authorised manufacturers one per line)."""
    try:
        with engine.begin() as connection:
            ipr.create_recordation(
                connection,
                number=number,
                trademark=trademark,
                owner=owner,
                owner_contact=owner_contact,
                authorised_manufacturers=authorised_manufacturers.splitlines(),
                actor=actor(session),
            )
    except ipr.IprError as error:
        form = {
            "number": number,
            "trademark": trademark,
            "owner": owner,
            "owner_contact": owner_contact,
            "authorised_manufacturers": authorised_manufacturers,
        }
        return _list(request, engine, 1, 422, problems=[str(error)], form=form)
    return RedirectResponse("/app/ipr", status_code=303)


@router.post("/ipr/{recordation_id}/active")
def set_active(
    recordation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    engine: EngineDep,
    session: Administrator,
    active: Annotated[bool, Form()],
) -> Response:
    """Activate or withdraw a recordation (withdrawn ones are not offered to officers)."""
    try:
        with engine.begin() as connection:
            ipr.set_active(connection, recordation_id, active, actor=actor(session))
    except ipr.IprError as error:
        raise HTTPException(404, str(error)) from None
    return RedirectResponse("/app/ipr", status_code=303)
