"""Security headers sent with every response. Pure: what to send for a path."""

import base64
import hashlib
import re

# Nothing from elsewhere, nothing inline, no framing: JSON needs nothing, and
# server-rendered pages need only their own scripts, styles and images.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The interactive API docs load Swagger UI / ReDoc from their CDN and start them
# with one inline script, allowed by its hash only.
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
DOCS_CDN = "https://cdn.jsdelivr.net"
HSTS = "max-age=31536000; includeSubDomains"

BASE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(html: bytes) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def docs_csp(html: bytes) -> str:
    scripts = " ".join([DOCS_CDN, *inline_script_hashes(html)])
    return (
        f"default-src 'none'; script-src {scripts}; style-src {DOCS_CDN}; "
        "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
        "worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def security_headers(tls: bool) -> dict[str, str]:
    """Headers for every response (a response that set its own keeps them)."""
    headers = {**BASE, "content-security-policy": CSP}
    if tls:
        headers["strict-transport-security"] = HSTS
    return headers
