"""Demo accounts, one per role, for `make demo` and the browser tests."""

import secrets
from dataclasses import dataclass

from sqlalchemy import Connection

from ecomrisk.domain.enums import Role
from ecomrisk.store import users_repo

ACTOR = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role


def seed_demo_accounts(connection: Connection) -> list[DemoAccount]:
    """One account per role (``demo-officer`` ...), each with a new random password:
    created when missing, otherwise given the new password."""
    accounts = []
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        try:
            users_repo.get_user(connection, username)
        except users_repo.UserError:
            users_repo.create_user(
                connection,
                username=username,
                display_name=f"Demo {role.value.replace('_', ' ')}",
                roles={role},
                actor=ACTOR,
            )
        password = secrets.token_urlsafe(12)
        users_repo.set_password(connection, username, password, actor=ACTOR)
        accounts.append(DemoAccount(username, password, role))
    return accounts


def format_accounts(accounts: list[DemoAccount], url: str) -> str:
    lines = [f"Sign in at {url}/app/ with:"]
    lines += [f"  {a.role.value:<18} {a.username:<24} {a.password}" for a in accounts]
    return "\n".join(lines)
