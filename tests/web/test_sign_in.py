"""Sign-in, sessions, CSRF, lock-out and sign-out, over real HTTP on a real store."""

import contextlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ecomrisk.domain.enums import Role
from ecomrisk.store import sessions_repo
from ecomrisk.store.schema import audit_log, web_sessions
from ecomrisk.web.auth import policy
from ecomrisk.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import PASSWORD, Web, csrf_of, sign_in


def test_sign_in_sets_a_scoped_strict_cookie_and_opens_the_app(web: Web) -> None:
    client = web.new_client()
    assert client.get("/app/", follow_redirects=False).headers["location"] == (
        "/app/sign-in?next=/app/"
    )
    page = client.get("/app/sign-in")
    response = client.post(
        "/app/sign-in",
        data={
            "username": web.user(Role.OFFICER),
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/app/queue",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/app/queue"
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("ecomrisk_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/app" in cookie
    home = client.get("/app/")
    assert home.status_code == 200
    assert "Queue" in home.text
    assert home.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "<script>" not in home.text  # no inline script anywhere
    # The app's policy is scoped to /app: the APIs keep the operations layer's own.
    api_policy = client.get("/openapi.json").headers["content-security-policy"]
    assert api_policy != CONTENT_SECURITY_POLICY


def test_wrong_password_unknown_user_and_lock_out(web: Web) -> None:
    client = web.new_client()
    username = web.user(Role.ANALYST)

    def attempt(password: str, user: str = username) -> int:
        page = client.get("/app/sign-in")
        return client.post(
            "/app/sign-in",
            data={"username": user, "password": password, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        ).status_code

    assert attempt("wrong password", "nobody") == 401
    for _ in range(web.settings.sign_in_max_failures):
        assert attempt("wrong password") == 401
    # Locked: even the right password is refused now.
    page = client.get("/app/sign-in")
    refused = client.post(
        "/app/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 401
    assert "too many failed sign-ins" in refused.text
    with web.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(web_sessions)).scalar() == 0
        locked = connection.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "user.locked")
        ).scalar()
    assert locked == 1
    # Another user is not affected.
    sign_in(client, web.user(Role.OFFICER))


def test_lock_out_ends_after_its_period(web: Web) -> None:
    rules = policy(web.settings)
    start = datetime.now(UTC) - timedelta(hours=1)
    username = web.user(Role.OFFICER)
    with web.engine.begin() as connection:
        for n in range(rules.max_failures):
            with contextlib.suppress(sessions_repo.SignInError):
                sessions_repo.sign_in(
                    connection, username, "bad", rules, start + timedelta(seconds=n)
                )
    with web.engine.begin() as connection:
        token, session = sessions_repo.sign_in(connection, username, PASSWORD, rules)
    assert session.user.username == username
    assert token


def test_sign_in_form_needs_its_own_token(web: Web) -> None:
    client = web.new_client()
    client.get("/app/sign-in")
    response = client.post(
        "/app/sign-in",
        data={"username": web.user(Role.OFFICER), "password": PASSWORD, "csrf_token": "x"},
    )
    assert response.status_code == 403
    assert "form expired" in response.text


def test_post_without_csrf_token_is_refused_and_changes_nothing(web: Web) -> None:
    client = web.new_client()
    token = sign_in(client, web.user(Role.ADMINISTRATOR))
    data = {"number": "R-1", "trademark": "Acme", "owner": "Acme Inc", "owner_contact": "ip@a"}
    refused = client.post("/app/ipr", data=data)
    assert refused.status_code == 403
    assert "security token" in refused.text
    assert client.post("/app/ipr", data={**data, "csrf_token": "forged"}).status_code == 403
    assert "R-1" not in client.get("/app/ipr").text
    assert client.post("/app/ipr", data=data, headers={"X-CSRF-Token": token}).status_code == 200
    assert "R-1" in client.get("/app/ipr").text


def test_sign_out_ends_the_session_everywhere(web: Web) -> None:
    client = web.new_client()
    token = sign_in(client, web.user(Role.OFFICER))
    cookie = client.cookies.get("ecomrisk_session")
    response = client.post("/app/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    other = web.new_client()
    other.cookies.set("ecomrisk_session", cookie, path="/app")  # a copy of the old cookie
    assert other.get("/app/", follow_redirects=False).status_code == 303


def test_idle_and_absolute_expiry(web: Web) -> None:
    rules = policy(web.settings)
    now = datetime.now(UTC)
    with web.engine.begin() as connection:
        token, _ = sessions_repo.sign_in(connection, web.user(Role.OFFICER), PASSWORD, rules, now)
    with web.engine.begin() as connection:
        assert sessions_repo.lookup(connection, token, rules, now + rules.idle / 2) is not None
        assert sessions_repo.lookup(connection, token, rules, now + rules.idle * 2) is None
        assert sessions_repo.lookup(connection, token, rules, now + rules.lifetime) is None


def test_next_never_leaves_the_app(web: Web) -> None:
    client = web.new_client()
    page = client.get("/app/sign-in")
    response = client.post(
        "/app/sign-in",
        data={
            "username": web.user(Role.OFFICER),
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/app/"


def test_a_deactivated_user_loses_the_session(web: Web) -> None:
    client = web.new_client()
    sign_in(client, web.user(Role.SUPERVISOR))
    admin = web.new_client()
    token = sign_in(admin, web.user(Role.ADMINISTRATOR))
    done = admin.post(
        f"/app/users/{web.user(Role.SUPERVISOR)}/active",
        data={"active": "false", "csrf_token": token},
    )
    assert done.status_code == 200
    assert client.get("/app/", follow_redirects=False).status_code == 303
