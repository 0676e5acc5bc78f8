"""The audit log, browsable: newest first, paged, filtered by entity and by user."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ecomrisk.api.deps import EngineDep
from ecomrisk.audit import log
from ecomrisk.web.auth import Auditor
from ecomrisk.web.templating import render

router = APIRouter()

PAGE_SIZE = 50


@router.get("/audit")
def audit_log(
    request: Request,
    engine: EngineDep,
    session: Auditor,
    entity: Annotated[str | None, Query(max_length=50)] = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Who changed what, when, with the before and after of each change."""
    with engine.connect() as connection:
        found = log.browse(
            connection,
            entity=entity or None,
            entity_id=entity_id or None,
            actor=actor or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        kinds = log.entities(connection)
    return render(
        request,
        "audit.html",
        entries=found.entries,
        total=found.total,
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        entity=entity,
        entity_id=entity_id,
        actor=actor,
        entities=kinds,
    )
