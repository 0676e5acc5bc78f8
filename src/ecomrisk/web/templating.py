"""Jinja2 pages: one environment, autoescaped, with what every page needs
(the signed-in user, the CSRF token, the navigation for their roles)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ecomrisk.domain.enums import Role
from ecomrisk.store.sessions_repo import Session
from ecomrisk.web.auth import AUDITORS, MEASURE_READERS, OFFICERS, READERS, RULE_READERS

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)

# Navigation: (label, path, roles that see it).
NAVIGATION: list[tuple[str, str, tuple[Role, ...]]] = [
    ("Queue", "/app/queue", OFFICERS),
    ("Cases", "/app/cases", OFFICERS),
    ("Rules", "/app/rules", RULE_READERS),
    ("Models", "/app/models", RULE_READERS),
    ("Networks", "/app/network", (Role.ANALYST, *OFFICERS)),
    ("Compliance", "/app/compliance", (Role.ANALYST, Role.PROGRAMME_MANAGER)),
    ("IPR recordations", "/app/ipr", (*READERS, Role.ADMINISTRATOR)),
    ("Audit log", "/app/audit", AUDITORS),
    ("Users", "/app/users", (Role.ADMINISTRATOR,)),
    ("Programme", "/app/programme", (Role.PROGRAMME_MANAGER,)),
    ("Reports", "/app/triage", (Role.ANALYST, Role.SUPERVISOR)),
    ("Measures", "/app/measures", MEASURE_READERS),
    ("Supply chain", "/app/flows", MEASURE_READERS),
]


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _query(request: Request, **changes: Any) -> str:
    """The current query string with ``changes`` applied (None removes a key)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


templates.env.filters["when"] = _when
templates.env.globals["query"] = _query


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session: Session | None = getattr(request.state, "session", None)
    nav = []
    if session is not None:
        nav = [
            (label, path)
            for label, path, roles in NAVIGATION
            if session.user.has_any(frozenset(roles))
        ]
    return templates.TemplateResponse(
        request,
        name,
        {"session": session, "nav": nav, "now": datetime.now(UTC), **context},
        status_code=status_code,
    )
