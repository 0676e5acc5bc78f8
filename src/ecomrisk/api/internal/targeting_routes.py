"""Internal API routes of targeting: facilities and their capacity (administrators
change them, everyone with a role reads them) and the stored selection of a day,
which the officer queue reads."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field

from ecomrisk.api.deps import EngineDep
from ecomrisk.api.internal.auth import require
from ecomrisk.api.internal.routes import ERRORS
from ecomrisk.domain.enums import ExamType, Role
from ecomrisk.store.users_repo import User
from ecomrisk.targeting import facilities_repo, runs_repo

router = APIRouter(prefix="/internal/v1", tags=["internal"], responses=ERRORS)

Administrator = Annotated[User, Depends(require(Role.ADMINISTRATOR))]
FacilityReader = Annotated[
    User,
    Depends(
        require(
            Role.OFFICER,
            Role.SUPERVISOR,
            Role.ANALYST,
            Role.PROGRAMME_MANAGER,
            Role.ADMINISTRATOR,
        )
    ),
]
PerDay = Annotated[int, Field(ge=0, le=facilities_repo.MAX_PER_DAY)]
Code = Annotated[str, Path(min_length=2, max_length=10, pattern=r"^[A-Z0-9]+$")]


class Capacity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_review: PerDay | None = None
    scan: PerDay | None = None
    physical: PerDay | None = None


class FacilityChange(BaseModel):
    """What to set; anything left out stays as it is (a new facility needs a name)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    capacity: Capacity | None = None
    active: bool | None = None


@router.get("/facilities")
def list_facilities(engine: EngineDep, user: FacilityReader) -> list[dict[str, Any]]:
    """Every facility with its daily capacity per exam type."""
    with engine.connect() as connection:
        return [f.public() for f in facilities_repo.list_all(connection)]


@router.get("/facilities/{code}")
def get_facility(code: Code, engine: EngineDep, user: FacilityReader) -> dict[str, Any]:
    """One facility."""
    with engine.connect() as connection:
        try:
            return facilities_repo.get(connection, code).public()
        except facilities_repo.FacilityNotFoundError as error:
            raise HTTPException(404, str(error)) from None


@router.put("/facilities/{code}")
def put_facility(
    code: Code, change: FacilityChange, engine: EngineDep, user: Administrator
) -> dict[str, Any]:
    """Create a facility or change its name, capacity or status (administrators; audited)."""
    capacity = {
        ExamType(exam): count
        for exam, count in (change.capacity.model_dump() if change.capacity else {}).items()
        if count is not None
    }
    try:
        with engine.begin() as connection:
            facility = facilities_repo.put(
                connection,
                code,
                actor=f"user:{user.username}",
                name=change.name,
                capacity=capacity,
                active=change.active,
            )
    except facilities_repo.FacilityError as error:
        raise HTTPException(422, str(error)) from None
    return facility.public()


@router.get("/facilities/{code}/selections/{day}")
def get_selection(code: Code, day: date, engine: EngineDep, user: FacilityReader) -> dict[str, Any]:
    """The selection of a facility for a customs day, in order of work: each
    shipment with its exam type, why it was chosen and its inclusion probability."""
    with engine.connect() as connection:
        try:
            facility = facilities_repo.get(connection, code)
            return runs_repo.read(connection, facility, day)
        except (facilities_repo.FacilityNotFoundError, runs_repo.SelectionError) as error:
            raise HTTPException(404, str(error)) from None
