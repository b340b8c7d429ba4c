"""Access ends at once: logout (a copied cookie stops working), token revocation, deactivation, password
reset and change end every session and token of the user, over the API and the pages."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.test_web_pages import csrf_token, post, sign_in
from workflows.accounts.sessions import SESSION_LIFETIME
from workflows.clock import now, set_clock
from workflows.models import AuditEvent, LoginSession, User

NEW_PASSWORD = "harbour-lantern-42"
ROOT = Path(__file__).resolve().parent.parent


def copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """A second browser holding a copy of the first one's session cookie."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def token_of(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Bearer headers from a fresh login (by a client without the cookie, which would need a CSRF token)."""
    fresh = client.application.test_client()
    response = fresh.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's cookie still opens a page and the API."""
    page, api = client.get("/work-items"), client.get("/api/v1/me")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    if page.status_code != 200:
        assert page.location.startswith("/login") and api.status_code == 401
    return page.status_code == 200


def events(app: Flask, type_: str) -> list[AuditEvent]:
    """The audit events of one type."""
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.type == type_)))


def user_id(app: Flask, username: str) -> int:
    """A user's id."""
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.username == username)).one()


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, shipped):  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    thief = copy_of(client, app)
    assert signed_in(thief)  # the copy works while the session is open
    assert post(client, "/logout").status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)
    assert [e.payload.get("session_id") is not None for e in events(app, "auth.session_ended")] == [True]


def test_logout_ends_only_that_browsers_session(app, shipped):  # noqa: ANN001
    office, laptop = app.test_client(), app.test_client()
    sign_in(office, "jd_msa_liaison")
    sign_in(laptop, "jd_msa_liaison")
    post(office, "/logout")
    assert not signed_in(office)
    assert signed_in(laptop)


def test_a_session_expires_on_the_server_whatever_the_cookie_says(app, client, shipped):  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    later = now() + SESSION_LIFETIME + timedelta(minutes=1)
    set_clock(lambda: later)
    assert not signed_in(client)


def test_a_forged_session_entry_or_a_cookie_from_before_the_migration_is_refused(app, client, shipped):  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    with client.session_transaction() as cookie:
        cookie["login_session"] = "guessed"
    assert not signed_in(client)
    sign_in(client, "jd_msa_liaison")
    with client.session_transaction() as cookie:
        del cookie["login_session"]  # what a cookie signed before server-side sessions holds
    assert not signed_in(client)


def test_a_revoked_token_is_refused_at_once_and_others_keep_working(client, demo):  # noqa: ANN001
    first, second = token_of(client, "jd_msa_liaison"), token_of(client, "jd_msa_liaison")
    assert client.delete("/api/v1/auth/token", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 401


def test_revoking_needs_the_bearer_token_itself(app, client, shipped):  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    response = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": csrf_token(client, "/work-items")})
    assert response.status_code == 400 and "bearer" in response.get_json()["message"]
    assert len(events(app, "auth.token_revoked")) == 0


def _live_access(app: Flask, username: str, password: str = DEMO_PASSWORD) -> tuple[FlaskClient, dict[str, str]]:
    """A signed-in browser and a bearer token of the user, both checked to work."""
    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": password,
                                            "csrf_token": csrf_token(browser)})
    assert response.status_code == 302
    headers = token_of(browser, username, password)
    assert signed_in(browser) and browser.get("/api/v1/me", headers=headers).status_code == 200
    return browser, headers


def _ended(browser: FlaskClient, headers: dict[str, str]) -> bool:
    """Whether both the browser's session and the token are refused."""
    return not signed_in(browser) and browser.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("via", ["api", "page"])
def test_deactivation_ends_sessions_and_tokens_and_reactivation_lets_the_user_in_again(app, shipped, via):  # noqa: ANN001
    browser, headers = _live_access(app, "jd_msa_liaison")
    uid = user_id(app, "jd_msa_liaison")
    admin = app.test_client()
    if via == "api":
        answer = admin.post(f"/api/v1/users/{uid}/deactivate", headers=token_of(admin, "admin"))
        assert answer.status_code == 200 and answer.get_json()["active"] is False
    else:
        sign_in(admin, "admin")
        assert "已停用" in admin.get(post(admin, f"/admin/users/{uid}/deactivate").location).get_data(as_text=True)
    assert _ended(browser, headers)
    refused = app.test_client().post("/api/v1/auth/token", json={"username": "jd_msa_liaison",
                                                                 "password": DEMO_PASSWORD})
    assert refused.status_code == 401
    [event] = events(app, "user.deactivated")
    assert event.payload == {"user_id": uid, "username": "jd_msa_liaison", "sessions_ended": 1, "tokens_revoked": 1}

    if via == "api":
        assert admin.post(f"/api/v1/users/{uid}/reactivate", headers=token_of(admin, "admin")).status_code == 200
    else:
        assert post(admin, f"/admin/users/{uid}/reactivate").status_code == 302
    assert browser.get("/api/v1/me", headers=headers).status_code == 401  # old tokens stay revoked
    again, new_headers = _live_access(app, "jd_msa_liaison")
    assert len(events(app, "user.reactivated")) == 1


@pytest.mark.parametrize("via", ["api", "page"])
def test_a_password_reset_ends_sessions_and_tokens(app, shipped, via):  # noqa: ANN001
    browser, headers = _live_access(app, "jd_msa_liaison")
    uid = user_id(app, "jd_msa_liaison")
    admin = app.test_client()
    if via == "api":
        answer = admin.post(f"/api/v1/users/{uid}/password", json={"password": NEW_PASSWORD},
                            headers=token_of(admin, "admin"))
        assert answer.status_code == 204, answer.get_json()
    else:
        sign_in(admin, "admin")
        page = admin.get(post(admin, f"/admin/users/{uid}/password", {"password": NEW_PASSWORD}).location)
        assert "已重置 jd_msa_liaison 的密码" in page.get_data(as_text=True)
    assert _ended(browser, headers)
    assert app.test_client().post("/api/v1/auth/token", json={"username": "jd_msa_liaison",
                                                              "password": DEMO_PASSWORD}).status_code == 401
    _live_access(app, "jd_msa_liaison", NEW_PASSWORD)
    assert events(app, "user.password_reset")[0].payload["tokens_revoked"] == 1


@pytest.mark.parametrize("via", ["api", "page"])
def test_changing_ones_own_password_ends_every_session_and_token(app, shipped, via):  # noqa: ANN001
    browser, headers = _live_access(app, "jd_msa_liaison")
    other_browser, other_headers = _live_access(app, "jd_msa_liaison")
    body = {"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}
    if via == "api":
        assert browser.post("/api/v1/me/password", json=body, headers=headers).status_code == 204
    else:
        answer = post(browser, "/account/password", {**body, "new_password_again": NEW_PASSWORD})
        assert answer.status_code == 302 and answer.location == "/login"
        assert "密码已修改，请用新密码登录" in browser.get(answer.location).get_data(as_text=True)
    assert _ended(browser, headers) and _ended(other_browser, other_headers)
    _live_access(app, "jd_msa_liaison", NEW_PASSWORD)
    [event] = events(app, "user.password_changed")
    assert (event.payload["sessions_ended"], event.payload["tokens_revoked"]) == (2, 2)


def test_a_wrong_current_password_changes_nothing(app, shipped):  # noqa: ANN001
    browser, headers = _live_access(app, "jd_msa_liaison")
    body = {"current_password": "not-the-password", "new_password": NEW_PASSWORD}
    refused = browser.post("/api/v1/me/password", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"current_password": ["wrong password"]}
    page = post(browser, "/account/password", {**body, "new_password_again": NEW_PASSWORD})
    assert page.status_code == 422 and "密码不正确" in page.get_data(as_text=True)
    mismatch = post(browser, "/account/password", {**body, "current_password": DEMO_PASSWORD,
                                                   "new_password_again": "something-else-7"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    assert signed_in(browser) and browser.get("/api/v1/me", headers=headers).status_code == 200
    assert [e.payload.get("reason") for e in events(app, "auth.failed")] == ["current password"] * 2


def test_the_password_page_needs_a_signed_in_user(client, shipped):  # noqa: ANN001
    assert client.get("/account/password").location.startswith("/login?next=")
    assert client.post("/api/v1/me/password", json={"current_password": "x", "new_password": "y"}).status_code == 401
    sign_in(client, "jd_msa_liaison")
    page = client.get("/account/password").get_data(as_text=True)
    assert "修改密码" in page and "至少 10 个字符" in page


def test_an_admin_neither_deactivates_nor_resets_themself(app, client, shipped):  # noqa: ANN001
    admin, uid = token_of(client, "admin"), user_id(app, "admin")
    refused = client.post(f"/api/v1/users/{uid}/deactivate", headers=admin)
    assert refused.status_code == 409 and "own account" in refused.get_json()["message"]
    reset = client.post(f"/api/v1/users/{uid}/password", json={"password": NEW_PASSWORD}, headers=admin)
    assert reset.status_code == 409
    sign_in(client, "admin")
    page = client.get(post(client, f"/admin/users/{uid}/deactivate").location).get_data(as_text=True)
    assert "管理员不能停用自己的账号" in page
    assert client.get("/api/v1/me", headers=admin).status_code == 200


@pytest.mark.parametrize("action,body", [("deactivate", None), ("reactivate", None),
                                         ("password", {"password": NEW_PASSWORD})])
def test_account_changes_are_for_admins(app, client, auth, action, body):  # noqa: ANN001
    uid = user_id(app, "jd_msa_liaison")
    path = f"/api/v1/users/{uid}/{action}"
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, json=body, headers=auth.headers("jd_msa_leader")).status_code == 403
    assert client.post(path, json=body, headers=auth.headers("jd_supervisor")).status_code == 403
    assert client.post(f"/api/v1/users/999999/{action}", json=body,
                       headers=auth.headers("admin")).status_code == 404
    assert client.post(f"/api/v1/users/{10**12}/{action}", json=body,
                       headers=auth.headers("admin")).status_code == 404
    sign_in(client, "jd_msa_leader")
    assert post(client, f"/admin/users/{uid}/{action}", body).status_code == 403


def test_the_admin_page_lists_the_account_actions(app, client, shipped):  # noqa: ANN001
    sign_in(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    uid = user_id(app, "jd_msa_liaison")
    assert f'action="/admin/users/{uid}/deactivate"' in page and f'action="/admin/users/{uid}/password"' in page
    assert f'action="/admin/users/{user_id(app, "admin")}/deactivate"' not in page  # not for oneself
    assert "停用" in page and "重置密码" in page


def test_a_session_row_stores_only_a_digest(app, client, shipped):  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    with client.session_transaction() as cookie:
        secret = cookie["login_session"]
    with app.app_context():
        [row] = db.session.scalars(select(LoginSession))
        assert secret not in row.secret_hash and len(row.secret_hash) == 64


def test_production_cookies_default_to_secure_httponly_and_lax() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SESSION_COOKIE_SECURE"}
    names = ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
             "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_HTTPONLY", "REMEMBER_COOKIE_SAMESITE")
    code = f"from config import Config; print(*(getattr(Config, n) for n in {names!r}))"
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == ["True", "True", "Lax", "True", "True", "Lax"]


def test_signing_in_starts_a_fresh_cookie_and_sets_no_remember_cookie(app, client, shipped):  # noqa: ANN001
    client.get("/language/en")
    before = csrf_token(client)
    with client.session_transaction() as cookie:
        planted = cookie["csrf_token"]
    response = client.post("/login", data={"username": "jd_msa_liaison", "password": DEMO_PASSWORD,
                                           "csrf_token": before})
    assert response.status_code == 302
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token")]
    with client.session_transaction() as cookie:
        assert cookie.get("csrf_token") != planted  # a CSRF secret from before the sign-in is gone
    assert "Work queue" in client.get("/work-items").get_data(as_text=True)  # the language is kept
