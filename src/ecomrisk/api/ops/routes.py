"""``/healthz`` (the process answers), ``/readyz`` (the store answers and is at the
schema head) and ``/metrics`` (Prometheus text format). Open to anyone, so
probes and scrapers need no credentials; they show no data of any filer."""

from typing import Any

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.access import PUBLIC
from ecomrisk.store import migrate

router = APIRouter(tags=["operations"], dependencies=[PUBLIC])

_HEAD: list[str] = []  # the migration head, read from the scripts once


def _head() -> str:
    if not _HEAD:
        _HEAD.append(migrate.head())
    return _HEAD[0]


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive and serving (it does not touch the store)."""
    return {"status": "ok"}


def _store_problem(engine: Engine) -> tuple[str | None, str | None]:
    """(revision, problem): problem is None when the store is ready."""
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:  # any failure to reach the store means: not ready
        return None, f"database unreachable ({type(error).__name__})"
    head = _head()
    if current != head:
        return (
            current,
            f"store at revision {current or '(empty)'}, not {head}: run `ecomrisk db upgrade`",
        )
    return current, None


@router.get(
    "/readyz",
    responses={503: {"description": "Store unreachable or not migrated; `reason` says which"}},
)
async def readyz(request: Request) -> Any:
    """Ready for traffic: the store answers and its schema is at the head revision."""
    revision, problem = await run_in_threadpool(_store_problem, request.app.state.engine)
    if problem is not None:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return {"status": "ready", "revision": revision}


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
)
async def metrics() -> Response:
    """Prometheus metrics of this process (text exposition format)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
