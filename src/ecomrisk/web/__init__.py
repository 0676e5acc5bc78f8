"""The officer and analyst web app, served under ``/app`` by the API's FastAPI app.

Server-rendered pages (Jinja2) with HTMX for small in-page updates; htmx and
Pico CSS are vendored in ``static/vendor`` (from their npm packages, with
their licences), never loaded from a CDN.
"""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from ecomrisk.web import errors, portal
from ecomrisk.web.auth import PREFIX
from ecomrisk.web.security import SecurityHeadersMiddleware

STATIC = Path(__file__).parent / "static"


def page_routers() -> list[APIRouter]:
    """The routers of every page module, as mounted (the role matrix test walks them)."""
    from ecomrisk.web.pages import (
        audit_log,
        cases,
        compliance,
        flows,
        home,
        ipr,
        measures,
        models,
        network,
        programme,
        queue,
        rules,
        shipment,
        sign_in,
        triage,
        users,
    )

    modules = (home, sign_in, queue, shipment, cases, ipr, rules, audit_log, users)
    analysis = (models, network, compliance)
    programme_pages = (programme, triage)  # issue 10
    performance = (measures, flows)  # issue 11
    return [module.router for module in (*modules, *analysis, *programme_pages, *performance)]


def router() -> APIRouter:
    web = APIRouter(prefix=PREFIX, include_in_schema=False)
    for page_router in page_routers():
        web.include_router(page_router)
    return web


def install(app: FastAPI) -> None:
    """Mount the app's pages, static files, error pages and security headers."""
    app.include_router(router())
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="web-static")
    portal.install(app, str(STATIC))  # the public portal under /portal, apart from /app
    errors.install(app)
    app.add_middleware(SecurityHeadersMiddleware)
