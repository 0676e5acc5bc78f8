"""User administration: accounts, roles, passwords, activation (administrators)."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ecomrisk.api.deps import EngineDep
from ecomrisk.domain.enums import Role
from ecomrisk.store import users_repo
from ecomrisk.web.auth import Administrator, actor
from ecomrisk.web.templating import render

router = APIRouter()

Username = Annotated[str, Form(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")]


def _page(request: Request, engine: EngineDep, status: int = 200, **extra: object) -> Response:
    with engine.connect() as connection:
        accounts = users_repo.list_accounts(connection)
    return render(
        request,
        "users.html",
        status,
        accounts=accounts,
        roles=list(Role),
        form=extra.pop("form", {}),
        **extra,
    )


@router.get("/users")
def users(request: Request, engine: EngineDep, session: Administrator) -> Response:
    """Every account with its roles and state."""
    return _page(request, engine, notice=request.query_params.get("done"))


@router.post("/users")
def create(
    request: Request,
    engine: EngineDep,
    session: Administrator,
    username: Username,
    display_name: Annotated[str, Form(min_length=1, max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    roles: Annotated[list[Role] | None, Form()] = None,
) -> Response:
    """Create an account with roles and a first password."""
    try:
        with engine.begin() as connection:
            users_repo.create_user(
                connection,
                username=username,
                display_name=display_name,
                roles=set(roles or []),
                actor=actor(session),
            )
            users_repo.set_password(connection, username, password, actor=actor(session))
    except users_repo.UserError as error:
        form = {"username": username, "display_name": display_name, "roles": roles}
        return _page(request, engine, 422, problems=[str(error)], form=form)
    return RedirectResponse(f"/app/users?done=created {username}", status_code=303)


def _apply(request: Request, engine: EngineDep, change: object, done: str) -> Response:
    try:
        with engine.begin() as connection:
            change(connection)  # type: ignore[operator]
    except users_repo.UserError as error:
        if str(error).startswith("no user"):
            raise HTTPException(404, str(error)) from None
        return _page(request, engine, 422, problems=[str(error)])
    return RedirectResponse(f"/app/users?done={done}", status_code=303)


@router.post("/users/{username}/password")
def set_password(
    request: Request,
    username: str,
    engine: EngineDep,
    session: Administrator,
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Set a new password for an account."""
    return _apply(
        request,
        engine,
        lambda c: users_repo.set_password(c, username, password, actor=actor(session)),
        f"password set for {username}",
    )


@router.post("/users/{username}/roles")
def set_roles(
    request: Request,
    username: str,
    engine: EngineDep,
    session: Administrator,
    roles: Annotated[list[Role] | None, Form()] = None,
) -> Response:
    """Replace an account's roles."""
    return _apply(
        request,
        engine,
        lambda c: users_repo.set_roles(c, username, set(roles or []), actor=actor(session)),
        f"roles changed for {username}",
    )


@router.post("/users/{username}/active")
def set_active(
    request: Request,
    username: str,
    engine: EngineDep,
    session: Administrator,
    active: Annotated[bool, Form()],
) -> Response:
    """Activate or deactivate an account (deactivated: its sessions stop working)."""
    if username == session.user.username and not active:
        return _page(request, engine, 422, problems=["active: you cannot deactivate yourself"])
    return _apply(
        request,
        engine,
        lambda c: users_repo.set_active(c, username, active, actor=actor(session)),
        f"{'activated' if active else 'deactivated'} {username}",
    )
