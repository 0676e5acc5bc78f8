"""Every client mistake gets a 4xx with a clear body: {detail, errors[{path, problem, value}]}."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ecomrisk.api.ops import metrics
from ecomrisk.ingest.formats import FormatError
from ecomrisk.ingest.problems import from_errors


def problem_response(status: int, detail: str, errors: list[Any] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "errors": errors or []})


# Single filings refused before they reach the store still count as rejected filings.
_FILING_PATHS = ("/api/v1/shipments", "/api/v1/postal-items")


def _is_single_filing(request: Request) -> bool:
    path = request.url.path
    return (
        request.method in ("POST", "PUT")
        and path.startswith(_FILING_PATHS)
        and not path.endswith(("/batch", "/cancel"))
    )


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    if _is_single_filing(request):
        metrics.count_filings(rejected=1)
    raw = list(error.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        ctx = raw[0].get("ctx") or {}
        return problem_response(422, f"malformed JSON: {ctx.get('error', 'cannot parse the body')}")
    problems = []
    for e in raw:
        loc = list(e.get("loc", ()))
        if loc and loc[0] == "body":
            loc = loc[1:]
        problems.append({**e, "loc": loc})
    listed = [p.as_dict() for p in from_errors(problems)]
    noun = "problem" if len(listed) == 1 else "problems"
    return problem_response(422, f"invalid request: {len(listed)} {noun}", listed)


async def _format_error(_request: Request, error: Exception) -> JSONResponse:
    return problem_response(400, str(error))


async def _decode_error(_request: Request, error: Exception) -> JSONResponse:
    return problem_response(400, f"body is not valid UTF-8: {error}")


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    response = problem_response(error.status_code, str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FormatError, _format_error)
    app.add_exception_handler(UnicodeDecodeError, _decode_error)
