"""Errors on app pages are pages: a sign-in redirect, or a page saying what is wrong.
The APIs keep their JSON errors; these handlers pass everything else on to them."""

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ecomrisk.api import errors as api_errors
from ecomrisk.web.auth import PREFIX, NotSignedInError
from ecomrisk.web.portal import in_portal
from ecomrisk.web.templating import render


def _in_app(request: Request) -> bool:
    """An app page, answered with a page; the app's JSON routes (the network graph)
    are asked with ``Accept: application/json`` and get the APIs' JSON errors."""
    if request.headers.get("accept", "").startswith("application/json"):
        return False
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


async def _not_signed_in(request: Request, _error: Exception) -> Response:
    target = request.url.path if request.method == "GET" else f"{PREFIX}/"
    location = f"{PREFIX}/sign-in?next={quote(target)}"
    if request.headers.get("HX-Request"):
        # HTMX follows a redirect inside the page; ask it to navigate instead.
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if in_portal(request.url.path):
        return render(
            request,
            "portal/error.html",
            error.status_code,
            status=error.status_code,
            message=str(error.detail),
        )
    if not _in_app(request):
        return await api_errors._http_error(request, error)
    return render(
        request,
        "error.html",
        error.status_code,
        status=error.status_code,
        message=str(error.detail),
    )


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    portal = in_portal(request.url.path)
    if not _in_app(request) and not portal:
        return await api_errors._validation_error(request, error)
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
        for e in error.errors()
    ]
    return render(
        request,
        "portal/error.html" if portal else "error.html",
        422,
        status=422,
        message="the request is not valid",
        problems=problems,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotSignedInError, _not_signed_in)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
