"""Password rules: one place in workflows/, applied on every path that sets a password, refused with field
errors (422 over the API, in Chinese on the pages, a usage error in the CLI)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.test_web_pages import post, sign_in
from workflows.accounts.passwords import PasswordPolicy, common_passwords, password_problems
from workflows.models import User

HAN = re.compile(r"[\u4e00-\u9fff]")
TARGET = "jd_msa_liaison"  # the user whose password is reset or changed
# (password, the API's field error, the page's words); TARGET is also the new user's name below.
BAD = {
    "short": ("short-pw1", "at least 10 characters", "至少 10 个字符"),
    "common": ("qwertyuiop", "too common: it is on the list of the most used passwords", "过于常见"),
    "username": (TARGET, "must not contain the user name", "不能包含用户名"),
}


def problems(password: str, username: str = "li_wei", agency: str = "jd_msa", minimum: int = 10) -> list[str]:
    """The rules' verdict with a policy of the given minimum length."""
    found = password_problems(PasswordPolicy(minimum), password, username=username, agency_code=agency)
    return [problem.english for problem in found]


def test_the_rules() -> None:
    assert problems("harbour-lantern-42") == []
    common = "too common: it is on the list of the most used passwords"
    assert problems("12345678") == ["at least 10 characters", common]
    assert problems("QWERTYUIOP") == [common]  # any case
    assert problems("x" * 201) == ["at most 200 characters"]
    assert problems("Li_Wei-2026-spring") == ["must not contain the user name"]
    assert problems("the-jd_msa-office") == ["must not contain the agency code"]
    assert problems("li-harbour-lantern", username="li") == []  # a short name only as the whole password
    assert problems("ab", username="ab", minimum=8)[-1] == "must not contain the user name"
    assert problems("harbour-lantern-42", minimum=20) == ["at least 20 characters"]


def test_the_shipped_list() -> None:
    listed = common_passwords()
    assert len(listed) > 8000 and {"12345678", "1234567890", "password123", "qwertyuiop"} <= listed
    assert all(len(p) >= 8 and p == p.lower() for p in listed if p.isascii())


def test_the_minimum_length_is_a_setting_of_at_least_8(app: Flask) -> None:
    with pytest.raises(ValueError, match="at least 8"):
        PasswordPolicy(6)
    with pytest.raises(ValueError, match="at least 8"):
        create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                               "PASSWORD_MIN_LENGTH": 6})
    assert app.extensions["password_policy"] == PasswordPolicy(10)


def _uid(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.username == TARGET)).one()


def _api(client: FlaskClient, admin: dict[str, str], user: dict[str, str], path: str, password: str, uid: int):  # noqa: ANN202
    """Set the password over the API by one path; the answer."""
    if path == "create":
        username = TARGET[:-1] if password == TARGET else f"{TARGET}_2"  # a name inside the password, or not
        body = {"username": username, "display_name": "新用户", "agency_code": "jd_msa", "roles": ["liaison"],
                "password": password}
        return client.post("/api/v1/users", json=body, headers=admin), "password"
    if path == "reset":
        return client.post(f"/api/v1/users/{uid}/password", json={"password": password}, headers=admin), "password"
    body = {"current_password": DEMO_PASSWORD, "new_password": password}
    return client.post("/api/v1/me/password", json=body, headers=user), "new_password"


@pytest.mark.parametrize("path", ["create", "reset", "change"])
@pytest.mark.parametrize("kind", sorted(BAD))
def test_every_api_path_refuses_a_bad_password(app, client, auth, path, kind):  # noqa: ANN001
    password, expected, _ = BAD[kind]
    answer, field = _api(client, auth.headers("admin"), auth.headers(TARGET), path, password, _uid(app))
    assert answer.status_code == 422, answer.get_json()
    assert expected in answer.get_json()["errors"][field]
    assert client.get("/api/v1/me", headers=auth.headers(TARGET)).status_code == 200  # nothing ended


def _page(client: FlaskClient, path: str, password: str, uid: int) -> str:
    """Set the password through a page by one path; the page that says why not."""
    if path == "create":
        username = TARGET[:-1] if password == TARGET else f"{TARGET}_2"
        answer = post(client, "/admin/users", {"username": username, "display_name": "新用户", "agency": "jd_msa",
                                               "roles": "liaison", "password": password})
        assert answer.status_code == 302
        return client.get(answer.location).get_data(as_text=True)
    if path == "reset":
        answer = post(client, f"/admin/users/{uid}/password", {"password": password})
        assert answer.status_code == 302
        return client.get(answer.location).get_data(as_text=True)
    answer = post(client, "/account/password", {"current_password": DEMO_PASSWORD, "new_password": password,
                                                "new_password_again": password})
    assert answer.status_code == 422
    return answer.get_data(as_text=True)


@pytest.mark.parametrize("path", ["create", "reset", "change"])
@pytest.mark.parametrize("kind", sorted(BAD))
def test_every_page_refuses_a_bad_password_in_chinese(app, client, shipped, path, kind):  # noqa: ANN001
    password, english, chinese = BAD[kind]
    sign_in(client, "admin" if path != "change" else TARGET)
    page = _page(client, path, password, _uid(app))
    assert chinese in page and english not in page
    assert ("密码：" in page or "密码:" in page) if path != "change" else 'data-error-for="new_password"' in page


def test_the_cli_refuses_a_bad_admin_password(app, demo):  # noqa: ANN001
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "root9", "--password", "12345678"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output and "too common" in result.output
    with app.app_context():
        assert db.session.scalars(select(User).where(User.username == "root9")).first() is None


def test_a_new_password_must_differ_from_the_current_one(client, auth):  # noqa: ANN001
    body = {"current_password": DEMO_PASSWORD, "new_password": DEMO_PASSWORD}
    answer = client.post("/api/v1/me/password", json=body, headers=auth.headers(TARGET))
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"new_password": ["must differ from the current password"]}
