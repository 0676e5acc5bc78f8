"""Internal API routes for risk models: list, show with metrics, change status, roll back."""

import hashlib
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from ecomrisk.api.deps import EngineDep
from ecomrisk.api.internal.auth import Analyst
from ecomrisk.api.internal.routes import ERRORS
from ecomrisk.risk.model import registry

router = APIRouter(prefix="/internal/v1/models", tags=["internal"], responses=ERRORS)


class ModelSummary(BaseModel):
    label: str
    status: str
    created_by: str
    created_at: datetime
    promoted_at: datetime | None
    window: dict[str, Any]


class ModelDetail(ModelSummary):
    artifact_sha256: str
    artifact_bytes: int
    details: dict[str, Any]


class ModelStatusChange(BaseModel):
    status: Literal["draft", "shadow", "live", "retired"]


class Rollback(BaseModel):
    retired: str
    live: str


def _summary(m: registry.StoredModel) -> ModelSummary:
    return ModelSummary(
        label=m.label,
        status=m.status,
        created_by=m.created_by,
        created_at=m.created_at,
        promoted_at=m.promoted_at,
        window=m.details.get("window", {}),
    )


def _error(error: registry.ModelRegistryError) -> HTTPException:
    return HTTPException(404 if isinstance(error, registry.ModelNotFoundError) else 422, str(error))


@router.get("")
def list_models(engine: EngineDep, user: Analyst) -> list[ModelSummary]:
    """Every model version, its status and data window."""
    with engine.connect() as connection:
        return [_summary(m) for m in registry.listing(connection)]


@router.get("/{label}")
def get_model(label: str, engine: EngineDep, user: Analyst) -> ModelDetail:
    """One model version with its metadata: window, features, metrics, code version, seed."""
    with engine.connect() as connection:
        try:
            m = registry.load(connection, label)
        except registry.ModelRegistryError as error:
            raise _error(error) from None
    return ModelDetail(
        **_summary(m).model_dump(),
        artifact_sha256=hashlib.sha256(m.artifact).hexdigest(),
        artifact_bytes=len(m.artifact),
        details=m.details,
    )


@router.post("/{label}/status")
def change_model_status(
    label: str, change: ModelStatusChange, engine: EngineDep, user: Analyst
) -> ModelDetail:
    """Move a version to draft, shadow, live (the live one is retired) or retired."""
    try:
        with engine.begin() as connection:
            registry.set_status(connection, label, change.status, f"user:{user.username}")
    except registry.ModelRegistryError as error:
        raise _error(error) from None
    return get_model(label, engine, user)


@router.post("/rollback")
def rollback_model(engine: EngineDep, user: Analyst) -> Rollback:
    """Retire the live model and make the one live before it live again."""
    try:
        with engine.begin() as connection:
            retired, live = registry.rollback(connection, f"user:{user.username}")
    except registry.ModelRegistryError as error:
        raise HTTPException(409, str(error)) from None
    return Rollback(retired=retired, live=live)
