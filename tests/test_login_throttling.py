"""Login throttling per client address and per account, counted together for the API and the sign-in page;
unknown, inactive and known users cost the same work to refuse.

Across server processes the counters live in Redis: tests/test_production.py drives that with two
gunicorn processes (`make test-production`).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

import workflows.accounts.passwords as passwords
import workflows.models.user as user_model
from app import create_app
from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.test_web_pages import csrf_token
from workflows.directory.entries import create_user
from workflows.models import User

WRONG = "not-the-password"


@pytest.fixture
def limited(app: Flask, demo: dict[str, int]) -> Iterator[Callable[..., Flask]]:
    """Builds apps on the test database with their own login limits (each starts with empty counters)."""
    built: list[Flask] = []

    def build(**limits: str) -> Flask:
        built.append(create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                            **limits}))
        return built[-1]

    yield build
    for application in built:
        with application.app_context():
            db.engine.dispose()


def api_login(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1") -> int:
    """A token request's status."""
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


def page_login(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1") -> int:
    """A sign-in form's status (each from a fresh browser, so that one login does not sign in the next)."""
    browser = client.application.test_client()
    token = csrf_token(browser)
    return browser.post("/login", data={"username": username, "password": password, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": address}).status_code


def test_refused_passwords_count_per_account_across_the_api_and_the_page(limited):  # noqa: ANN001
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="3 per minute").test_client()
    assert api_login(client, "jd_msa_liaison", WRONG, "127.0.0.2") == 401
    assert page_login(client, "jd_msa_liaison", WRONG, "127.0.0.3") == 401
    assert api_login(client, "jd_msa_liaison", WRONG, "127.0.0.4") == 401
    # Spent, from every address and by both doors, even with the right password.
    assert api_login(client, "jd_msa_liaison", DEMO_PASSWORD, "127.0.0.5") == 429
    assert page_login(client, "jd_msa_liaison", DEMO_PASSWORD, "127.0.0.6") == 429
    assert api_login(client, " JD_MSA_LIAISON ", WRONG, "127.0.0.7") == 429  # one account however spelt
    assert api_login(client, "jd_msa_leader", DEMO_PASSWORD, "127.0.0.2") == 201  # other accounts are not held


def test_the_page_says_so_in_chinese(limited):  # noqa: ANN001
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="1 per minute").test_client()
    assert page_login(client, "jd_msa_liaison", WRONG) == 401
    browser = client.application.test_client()
    page = browser.post("/login", data={"username": "jd_msa_liaison", "password": DEMO_PASSWORD,
                                        "csrf_token": csrf_token(browser)})
    assert page.status_code == 429 and "尝试次数过多" in page.get_data(as_text=True)


def test_an_accounts_own_logins_do_not_use_up_its_budget(limited):  # noqa: ANN001
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    assert [api_login(client, "jd_msa_liaison", DEMO_PASSWORD) for _ in range(4)] == [201] * 4
    assert [page_login(client, "jd_msa_liaison", DEMO_PASSWORD) for _ in range(2)] == [302] * 2


def test_attempts_per_address_count_across_the_api_and_the_page(limited):  # noqa: ANN001
    client = limited(LOGIN_RATE_LIMIT="3 per minute").test_client()
    assert api_login(client, "jd_msa_liaison", DEMO_PASSWORD) == 201
    assert page_login(client, "jd_msa_leader", WRONG) == 401
    assert api_login(client, "jd_police_liaison", DEMO_PASSWORD) == 201
    assert page_login(client, "jd_police_leader", DEMO_PASSWORD) == 429
    assert api_login(client, "jd_police_leader", DEMO_PASSWORD) == 429
    assert api_login(client, "jd_police_leader", DEMO_PASSWORD, "127.0.0.9") == 201  # another address


def test_a_wrong_current_password_counts_like_a_failed_login(limited):  # noqa: ANN001
    client = limited(LOGIN_ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    token = client.post("/api/v1/auth/token", json={"username": "jd_msa_liaison", "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    body = {"current_password": WRONG, "new_password": "harbour-lantern-42"}
    assert [client.post("/api/v1/me/password", json=body, headers=headers).status_code for _ in range(3)] == [
        422, 422, 429]
    assert api_login(client, "jd_msa_liaison", DEMO_PASSWORD) == 429


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The method of every stored hash a password is checked against."""
    checked: list[str] = []
    real = passwords.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checked


def test_unknown_inactive_and_known_users_cost_one_hash_check_each(app, client, demo, hash_checks):  # noqa: ANN001
    with app.app_context():
        db.session.execute(update(User).where(User.username == "jd_police_liaison").values(active=False))
        db.session.commit()
        method = db.session.scalars(select(User.password_hash).where(User.username == "jd_msa_liaison")).one()
    attempts = [("nobody_here", WRONG), ("jd_msa_liaison", WRONG), ("jd_police_liaison", DEMO_PASSWORD)]
    for username, password in attempts:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert (response.status_code, response.get_json()["message"]) == (401, "wrong username or password")
    assert hash_checks == [method.split("$", 1)[0]] * 3


@pytest.mark.timing  # compares durations: run with the machine to itself
def test_refusing_an_unknown_user_takes_as_long_as_a_known_one(app, client, demo, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(user_model, "PASSWORD_HASH_METHOD", "scrypt")  # the real cost, so that it dominates
    with app.app_context():
        create_user(db.session, None, username="slow_hash_user", display_name="慢", agency_code="jd_msa",
                    roles=["liaison"], password="harbour-lantern-42")
        db.session.commit()

    def timed(username: str) -> float:
        started = time.perf_counter()
        assert api_login(client, username, WRONG) == 401
        return time.perf_counter() - started

    timed("nobody_here")  # the stand-in hash is made once per process
    known = statistics.median(timed("slow_hash_user") for _ in range(5))
    unknown = statistics.median(timed("nobody_here") for _ in range(5))
    # Without the stand-in check an unknown user is refused in a few milliseconds, scrypt takes tens.
    assert 0.5 < unknown / known < 2, (unknown, known)
