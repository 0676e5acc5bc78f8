"""Sign-in and sign-out. The sign-in form has no session yet, so its CSRF token is
a signed nonce that must match a short-lived cookie (double submit)."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.settings import Settings
from ecomrisk.store import sessions_repo
from ecomrisk.web.auth import PREFIX, SESSION_COOKIE, Anyone, SignedIn, policy
from ecomrisk.web.templating import render

router = APIRouter()

NONCE_COOKIE = "ecomrisk_sign_in"
NONCE_SECONDS = 3600


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="ecomrisk.sign-in")


def _safe_next(target: str | None) -> str:
    # Only a path inside the app: never an open redirect to another site.
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        return target
    return f"{PREFIX}/"


def _cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=False,  # the app may run on plain http on 127.0.0.1; put TLS in front in production
    )


def _form(request: Request, settings: Settings, status: int = 200, **context: object) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = render(
        request,
        "sign_in.html",
        status,
        token=_serializer(settings).dumps(nonce),
        next=_safe_next(request.query_params.get("next") or str(context.pop("next", ""))),
        **context,
    )
    _cookie(response, NONCE_COOKIE, nonce, NONCE_SECONDS)
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, settings: SettingsDep, session: Anyone) -> Response:
    """The sign-in form."""
    if session is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _form(request, settings)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    _session: Anyone,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password, open a session, go where the user was going."""
    try:
        nonce = _serializer(settings).loads(csrf_token, max_age=NONCE_SECONDS)
    except BadSignature:
        nonce = None
    cookie = request.cookies.get(NONCE_COOKIE)
    if nonce is None or cookie is None or not secrets.compare_digest(str(nonce), cookie):
        return _form(
            request,
            settings,
            403,
            username=username,
            next=next,
            problem="the form expired or was not sent from this page: try again",
        )

    def attempt() -> str | sessions_repo.SignInError:
        with engine.begin() as connection:
            try:
                return sessions_repo.sign_in(connection, username, password, policy(settings))[0]
            except sessions_repo.SignInError as error:
                return error  # returned, not raised: the failed attempt must commit

    token = await run_in_threadpool(attempt)
    if isinstance(token, sessions_repo.SignInError):
        return _form(request, settings, 401, username=username, next=next, problem=str(token))
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(response, SESSION_COOKIE, token, settings.session_hours * 3600)
    response.delete_cookie(NONCE_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
def sign_out(engine: EngineDep, session: SignedIn) -> Response:
    """End the session everywhere (the cookie alone no longer opens anything)."""
    with engine.begin() as connection:
        sessions_repo.sign_out(connection, session)
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response
