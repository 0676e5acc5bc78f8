"""``ecomrisk users``: people, their roles and internal-API tokens."""

import typer

from ecomrisk.cli._common import console, fail, store_engine
from ecomrisk.domain.enums import Role
from ecomrisk.store import users_repo

app = typer.Typer(help="Users: roles and internal-API tokens.", no_args_is_help=True)


@app.command()
def create(
    username: str = typer.Argument(..., help="Sign-in name"),
    name: str = typer.Option(..., "--name", help="Full name"),
    roles: list[Role] = typer.Option(..., "--role", help="A role; repeat for several"),
) -> None:
    """Create a user with roles and print a first internal-API token (shown once)."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            user = users_repo.create_user(
                connection, username=username, display_name=name, roles=set(roles), actor="cli"
            )
        except users_repo.UserError as error:
            raise fail(str(error)) from None
        token = users_repo.issue_token(connection, user, actor="cli")
    console.print(f"created {username} ({', '.join(sorted(r.value for r in user.roles))})")
    console.print(f"token (shown once): {token.key}", highlight=False)


@app.command()
def token(username: str = typer.Argument(..., help="Sign-in name")) -> None:
    """Issue another internal-API token for a user (shown once)."""
    with store_engine() as engine, engine.begin() as connection:
        try:
            user = users_repo.get_user(connection, username)
        except users_repo.UserError as error:
            raise fail(str(error)) from None
        issued = users_repo.issue_token(connection, user, actor="cli")
    console.print(f"token (shown once): {issued.key}", highlight=False)
