"""One ASGI middleware around the whole app: a request id per request (echoed in
``X-Request-ID``), security headers, Prometheus request metrics, a JSON access
log line, and a clean 500 for an unhandled error (logged without its message)."""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from fastapi.routing import iter_route_contexts
from sqlalchemy import Engine
from starlette.routing import BaseRoute

from ecomrisk.api.ops import headers, metrics
from ecomrisk.api.ops.logs import REQUEST_ID

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

REQUEST_ID_HEADER = "x-request-id"
# A caller's own id is kept when it is short and plain (it ends up in logs).
_CALLER_ID = re.compile(r"[A-Za-z0-9._\-]{1,64}")
UNMATCHED = "(unmatched)"  # one label for every unknown path: no label per URL
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})  # logged at DEBUG only

access_log = logging.getLogger("ecomrisk.access")
error_log = logging.getLogger("ecomrisk.error")


class RouteTemplates:
    """The full path template of the route that served a request
    (``/api/v1/shipments/{filer_reference:path}``). Starlette leaves the route in
    the scope with its path inside its router; the prefixes of included routers
    are looked up once (again when routes were added since)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = routes
        self.full: dict[int, str] = {}
        self.indexed = -1  # len(routes) when last indexed

    def _index(self) -> None:
        self.indexed = len(self.routes)
        self.full = {
            id(c.original_route): str(c.path)
            for c in iter_route_contexts(self.routes)
            if c.path is not None
        }

    def __call__(self, scope: Scope) -> str:
        route = scope.get("route")
        path = getattr(route, "path", None)
        if path is None:
            return UNMATCHED
        if id(route) not in self.full and len(self.routes) != self.indexed:
            self._index()
        if id(route) in self.full:
            return self.full[id(route)]
        mounted = scope.get("root_path", "")  # a Mount (e.g. the web app at /app) sets it
        return f"{mounted}{path}"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _CALLER_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


class OperationsMiddleware:
    def __init__(
        self,
        app: Any,
        *,
        routes: Sequence[BaseRoute] = (),
        engine: Engine | None = None,
        tls: bool = False,
    ) -> None:
        self.app = app
        self.tls = tls
        self.route_template = RouteTemplates(routes)
        if engine is not None:
            metrics.count_decisions(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        added = headers.security_headers(self.tls or scope.get("scheme") == "https")
        added[REQUEST_ID_HEADER] = request_id
        path = scope.get("path", "")
        hold_for_hash = path in headers.DOCS_PATHS
        status = 500
        started = False
        held: list[Message] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                started = True
                message["headers"] = _merged(message.get("headers") or [], added)
                if hold_for_hash:  # the docs page's CSP needs its inline script's hash
                    held.append(message)
                    return
            elif held:
                held.append(message)
                if message.get("more_body"):
                    return
                await _send_docs(send, held)
                return
            await send(message)

        begun = time.perf_counter()
        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            error_log.error("unhandled error", exc_info=error, extra={"path": path})
            status = 500
            if not started:
                await _internal_error(send, added, request_id)
        finally:
            elapsed = time.perf_counter() - begun
            metrics.IN_FLIGHT.dec()
            method = scope.get("method", "")
            route = self.route_template(scope)
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.LATENCY.labels(method, route).observe(elapsed)
            access_log.log(
                logging.DEBUG if path in QUIET_PATHS else logging.INFO,
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "path": path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            REQUEST_ID.reset(token)


def _merged(existing: list[tuple[bytes, bytes]], added: dict[str, str]) -> list[Any]:
    present = {name.lower() for name, _ in existing}
    extra = [(k.encode(), v.encode()) for k, v in added.items() if k.encode() not in present]
    return [*existing, *extra]


async def _send_docs(send: Send, held: list[Message]) -> None:
    start, *bodies = held
    html = b"".join(m.get("body", b"") for m in bodies)
    csp = headers.docs_csp(html).encode()
    start["headers"] = [
        (k, csp if k.lower() == b"content-security-policy" else v) for k, v in start["headers"]
    ]
    await send(start)
    await send({"type": "http.response.body", "body": html})


async def _internal_error(send: Send, added: dict[str, str], request_id: str) -> None:
    body = json.dumps(
        {"detail": f"internal error; quote request id {request_id}", "errors": []}
    ).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": _merged(head, added)})
    await send({"type": "http.response.body", "body": body})
