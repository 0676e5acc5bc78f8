"""The officer's queue per facility: filter, sort, page, claim."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from ecomrisk.api.deps import EngineDep
from ecomrisk.domain.enums import Lane
from ecomrisk.web import queue_source
from ecomrisk.web.auth import Officer
from ecomrisk.web.templating import render

router = APIRouter()

PAGE_SIZE = 50


@router.get("/queue")
def queue(
    request: Request,
    engine: EngineDep,
    session: Officer,
    facility: Annotated[str | None, Query(max_length=10)] = None,
    lane: Annotated[str | None, Query(max_length=20)] = None,
    claim: Literal["any", "mine", "unclaimed"] = "any",
    search: Annotated[str | None, Query(max_length=100)] = None,
    sort: Literal["score", "arrival", "received"] = "score",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Shipments waiting for an exam at a facility, highest score first by default."""
    lanes = [choice for choice in Lane if choice is not Lane.RELEASE]
    if lane and lane not in lanes:
        raise HTTPException(422, f"lane: one of {', '.join(lanes)}")
    where = queue_source.QueueFilter(
        facility=facility or None,
        lane=lane or None,
        claim=claim,
        search=(search or "").strip() or None,
        sort=sort,
    )
    with engine.connect() as connection:
        places = queue_source.facilities(connection)
        items, total = queue_source.queue_page(
            connection, where, session.user.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    context: dict[str, Any] = {
        "items": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "where": where,
        "facilities": places,
        "lanes": lanes,
    }
    # HTMX filter changes swap only the table.
    template = "queue_table.html" if request.headers.get("HX-Target") == "queue" else "queue.html"
    return render(request, template, **context)
