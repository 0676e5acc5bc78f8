"""A filer applies to the trusted-shipper programme for itself, and reads the state
of its applications (never the criteria's evidence, which includes risk data)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ecomrisk.api.deps import ConnectionDep, CurrentFiler, actor
from ecomrisk.api.routes.shipments import ERRORS
from ecomrisk.programme import repo
from ecomrisk.store.schema import programme_applications

router = APIRouter(tags=["trusted-shipper programme"])


class ApplicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact: Annotated[str, Field(min_length=1, max_length=300)]
    country: Annotated[str | None, Field(min_length=2, max_length=2)] = None


class ApplicationPublic(BaseModel):
    reference: str
    status: str
    submitted_at: str
    member_since: str | None


def _public(app: repo.Application) -> ApplicationPublic:
    return ApplicationPublic(
        reference=app.reference,
        status=app.status,
        submitted_at=app.submitted_at.isoformat(),
        member_since=app.member_since,
    )


@router.post("/programme/applications", status_code=201, responses=ERRORS)
def apply(
    body: ApplicationCreate, filer: CurrentFiler, connection: ConnectionDep
) -> ApplicationPublic:
    """Apply to the trusted-shipper programme as this filer (`409` while one is open)."""
    try:
        found = repo.apply(
            connection,
            role="filer",
            name=filer.code,
            contact=body.contact,
            country=body.country,
            channel="filer_api",
            actor=actor(filer),
        )
    except repo.ProgrammeError as error:
        raise HTTPException(409 if "already has" in str(error) else 422, str(error)) from None
    return _public(found)


@router.get("/programme/applications", responses=ERRORS)
def applications(filer: CurrentFiler, connection: ConnectionDep) -> list[ApplicationPublic]:
    """Your applications to the programme and their status, newest first."""
    rows = connection.execute(
        select(programme_applications)
        .where(programme_applications.c.role == "filer", programme_applications.c.key == filer.code)
        .order_by(programme_applications.c.id.desc())
        .limit(100)
    )
    return [_public(repo.get(connection, r.reference)) for r in rows]
