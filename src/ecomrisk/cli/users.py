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


@app.command(name="set-password")
def set_password(
    username: str = typer.Argument(..., help="Sign-in name"),
    password_file: typer.FileText = typer.Option(
        None, "--password-file", help="Read the password from this file ('-': standard input)"
    ),
) -> None:
    """Set a user's web sign-in password (asked twice unless --password-file)."""
    if password_file is not None:
        password = password_file.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with store_engine() as engine, engine.begin() as connection:
        try:
            users_repo.set_password(connection, username, password, actor="cli")
        except users_repo.UserError as error:
            raise fail(str(error)) from None
    console.print(f"password set for {username}")


@app.command(name="demo-accounts")
def demo_accounts(
    url: str = typer.Option("http://127.0.0.1:8000", help="Where the app is served"),
) -> None:
    """Create (or reset) one demo account per role and print their passwords."""
    from ecomrisk.web.demo_accounts import format_accounts, seed_demo_accounts

    with store_engine() as engine, engine.begin() as connection:
        accounts = seed_demo_accounts(connection)
    console.print(format_accounts(accounts, url), highlight=False)
