"""Structured logs: one JSON object per line, with the request id of the request
being served.

What is logged is chosen, not filtered: the access log names the method, the
route template, the path, the status and the time taken; never a header, a
query string or a body. An exception is logged by its type and where it was
raised, never by its message (a database error's message carries the row's
values: names, addresses). As a second guard every message passes through
``scrub``, which masks API keys, user tokens and bearer credentials.
"""

import json
import logging
import re
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("ecomrisk_request_id", default=None)

_SECRETS = re.compile(
    r"\b(ek|eu)_[A-Za-z0-9_\-]{6,}"  # ecomrisk API keys and user tokens
    r"|(?i:bearer|basic)\s+[A-Za-z0-9._~+/=\-]+"  # credentials after an auth scheme
    r"|(?i:password|secret|token|api[_-]?key)=[^\s&]+"  # key=value forms
)

# Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text: str) -> str:
    return _SECRETS.sub("[redacted]", text)


def _where(error: BaseException) -> list[str]:
    frames = traceback.extract_tb(error.__traceback__)
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-8:]]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = scrub(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = type(error).__qualname__
            entry["where"] = _where(error)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """JSON lines on stderr for ecomrisk and uvicorn, replacing earlier handlers."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # uvicorn's access log would repeat ours without the request id; Alembic's
    # migration context says which DDL mode it assumes on every /readyz.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
