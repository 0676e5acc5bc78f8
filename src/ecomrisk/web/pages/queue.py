"""The officer's queue per facility: what targeting selected for the day, or the
lanes when nothing was selected; filter, sort, page, claim; a supervisor runs the
selection."""

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.domain.enums import Lane, Role
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.store.sessions_repo import Session
from ecomrisk.targeting import facilities_repo, runs_repo
from ecomrisk.web import queue_source
from ecomrisk.web.auth import Officer, actor, allow
from ecomrisk.web.templating import render

router = APIRouter()

Supervisor = Annotated[Session, Depends(allow(Role.SUPERVISOR))]

PAGE_SIZE = 50


@router.get("/queue")
def queue(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    session: Officer,
    facility: Annotated[str | None, Query(max_length=10)] = None,
    day: date | None = None,
    lane: Annotated[str | None, Query(max_length=20)] = None,
    claim: Literal["any", "mine", "unclaimed"] = "any",
    search: Annotated[str | None, Query(max_length=100)] = None,
    sort: Literal["score", "arrival", "received"] = "score",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """What targeting selected at a facility for the day, in rank order; else the
    shipments waiting in a lane, highest score first by default."""
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
    today = queue_source.customs_today(load_profile(settings.jurisdiction))
    with engine.connect() as connection:
        day = day or queue_source.default_day(connection, facility, today)
        places = queue_source.facilities(connection)
        selected = (
            queue_source.selected_queue(connection, facility, day, session.user.id)
            if facility
            else None
        )
        items, total = queue_source.queue_page(
            connection, where, session.user.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    context: dict[str, Any] = {
        "day": day,
        "selected": selected,
        "can_select": session.user.has_any(frozenset({Role.SUPERVISOR})),
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


@router.post("/queue/select")
def run_selection(
    engine: EngineDep,
    settings: SettingsDep,
    session: Supervisor,
    facility: Annotated[str, Form(min_length=2, max_length=10)],
    day: Annotated[date, Form()],
) -> Response:
    """Run the targeting selection for a facility and customs day (as ``ecomrisk
    targeting select`` does); refused with 409 when it ran already."""
    profile = load_profile(settings.jurisdiction)
    try:
        with engine.begin() as connection:
            chosen = facilities_repo.get(connection, facility)
            runs_repo.run(connection, chosen, day, profile, settings, actor=actor(session))
    except facilities_repo.FacilityNotFoundError as error:
        raise HTTPException(404, f"facility: {error}") from None
    except (facilities_repo.FacilityError, runs_repo.SelectionError) as error:
        raise HTTPException(409, str(error)) from None
    query = urlencode({"facility": facility, "day": day.isoformat()})
    return RedirectResponse(f"/app/queue?{query}", status_code=303)
