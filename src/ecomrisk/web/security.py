"""Security headers on every app page: a strict Content-Security-Policy (no inline
script or style, nothing from another origin), no framing, no sniffing."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecomrisk.web.auth import PREFIX

# data: images are Pico's own inline SVG icons (checkboxes, selects).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeadersMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): adds the headers to /app responses only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        static = path.startswith(PREFIX + "/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in HEADERS if not (static and h[0] == b"cache-control")]
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        await self.app(scope, receive, with_headers)
