"""Login, tokens, rate limiting, /me, and the admin-only directory endpoints."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app import create_app
from app.extensions import db
from workflows.clock import now
from workflows.models import ApiToken, User


def test_token_and_me(client, auth):  # noqa: ANN001
    me = client.get("/api/v1/me", headers=auth.headers("jd_police_leader")).get_json()
    assert me["username"] == "jd_police_leader"
    assert me["agency"]["code"] == "jd_police"
    assert set(me["roles"]) == {"leader", "liaison"}


@pytest.mark.parametrize("change", ["revoke", "expire", "deactivate"])
def test_a_revoked_or_expired_token_or_a_deactivated_user_is_refused_at_once(client, auth, change):  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with client.application.app_context():
        user = db.session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
        token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
        if change == "revoke":
            token.revoked = True
        elif change == "expire":
            token.expires_at = now()
        else:
            user.active = False
        db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("body", [{"username": "jd_msa_liaison", "password": "wrong"},
                                  {"username": "nobody", "password": "xietong-demo"}])
def test_wrong_credentials_are_401_with_one_message(client, demo, body):  # noqa: ANN001
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 401
    assert response.get_json()["message"] == "wrong username or password"


def test_token_request_validation(client, demo):  # noqa: ANN001
    assert client.post("/api/v1/auth/token", json={"username": "x"}).status_code == 422
    response = client.post("/api/v1/auth/token", data="{oops", content_type="application/json")
    assert response.status_code == 400


def test_me_needs_login(client, demo):  # noqa: ANN001
    assert client.get("/api/v1/me").status_code == 401


def test_passwords_are_hashed(app, demo):  # noqa: ANN001
    from workflows.models import User

    with app.app_context():
        user = db.session.get(User, demo["jd_msa_liaison"])
        assert "xietong-demo" not in user.password_hash
        assert check_password_hash(user.password_hash, "xietong-demo")


def test_login_attempts_are_rate_limited(app, demo):  # noqa: ANN001
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "LOGIN_RATE_LIMIT": "3 per minute"})
    client = limited.test_client()
    codes = [client.post("/api/v1/auth/token", json={"username": "jd_msa_liaison", "password": "bad"}).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert client.post("/api/v1/auth/token", json={"username": "jd_msa_liaison",
                                                    "password": "xietong-demo"}).status_code == 429
    with limited.app_context():
        db.engine.dispose()  # this second app has its own connection pool


AGENCY = {"code": "pd_msa", "name": "浦东新区市场监督管理局", "type": "market_supervision",
          "jurisdiction": "浦东新区", "level": "district", "parent": "sh_ipo"}
USER = {"username": "pd_liaison", "display_name": "浦东联络员", "agency_code": "jd_msa", "roles": ["liaison"],
        "password": "long-enough-1"}
TYPE = {"code": "customs", "name": "海关"}


@pytest.mark.parametrize("path,body", [("/api/v1/agencies", AGENCY), ("/api/v1/users", USER),
                                       ("/api/v1/agency-types", TYPE)])
def test_directory_creation_is_admin_only(client, auth, path, body):  # noqa: ANN001
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, json=body, headers=auth.headers("jd_msa_leader")).status_code == 403
    assert client.post(path, json=body, headers=auth.headers("jd_supervisor")).status_code == 403
    created = client.post(path, json=body, headers=auth.headers("admin"))
    assert created.status_code == 201, created.get_json()
    assert client.post(path, json=body, headers=auth.headers("admin")).status_code == 409


def test_directory_validation(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    bad = client.post("/api/v1/agencies", json={**AGENCY, "type": "nope", "level": "galaxy"}, headers=admin)
    assert bad.status_code == 422 and {"type", "level"} <= set(bad.get_json()["errors"])
    short = client.post("/api/v1/users", json={**USER, "password": "short"}, headers=admin)
    assert short.status_code == 422 and "password" in short.get_json()["errors"]
    unknown = client.post("/api/v1/users", json={**USER, "agency_code": "zz"}, headers=admin)
    assert unknown.status_code == 422 and "agency" in unknown.get_json()["errors"]
    assert client.post("/api/v1/agencies", data="[1,", content_type="application/json",
                       headers=admin).status_code == 400


def test_user_list_is_scoped_to_agency(client, auth):  # noqa: ANN001
    names = {u["username"] for u in client.get("/api/v1/users", headers=auth.headers("jd_msa_liaison")).get_json()}
    assert names == {"jd_msa_liaison", "jd_msa_leader"}
    everyone = client.get("/api/v1/users", headers=auth.headers("admin")).get_json()
    assert len(everyone) > len(names)
    agencies = client.get("/api/v1/agencies", headers=auth.headers("jd_msa_liaison")).get_json()
    assert {"jd_police", "cn_msa"} <= {a["code"] for a in agencies}
    types = client.get("/api/v1/agency-types", headers=auth.headers("jd_msa_liaison")).get_json()
    assert "police" in {t["code"] for t in types}


def test_create_admin_cli(app, demo):  # noqa: ANN001
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "root2", "--password", "a-strong-password"])
    assert result.exit_code == 0, result.output
    assert "root2" in result.output
    missing = runner.invoke(args=["create-admin", "root3"], env={"XIETONG_ADMIN_PASSWORD": ""})
    assert missing.exit_code != 0
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "root2", "password": "a-strong-password"})
    assert token.status_code == 201
    assert "admin" in token.get_json()["user"]["roles"]


def test_create_admin_on_empty_installation(app, empty_db):  # noqa: ANN001
    result = app.test_cli_runner().invoke(args=["create-admin", "first"],
                                          env={"XIETONG_ADMIN_PASSWORD": "pw-123456789"})
    assert result.exit_code == 0, result.output
    assert "xietong_admin" in result.output


def test_openapi_document_lists_the_endpoints(client, demo):  # noqa: ANN001
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = set(spec["paths"])
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/work-items/{item_id}/claim",
            "/api/v1/process-definitions", "/api/v1/process-instances/{instance_id}/events"} <= paths


@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/me"), ("get", "/api/v1/agencies"), ("post", "/api/v1/agencies"),
    ("get", "/api/v1/agency-types"), ("post", "/api/v1/agency-types"), ("get", "/api/v1/users"),
    ("post", "/api/v1/users"), ("get", "/api/v1/process-definitions"), ("post", "/api/v1/process-definitions"),
    ("get", "/api/v1/process-definitions/case_transfer"), ("get", "/api/v1/process-definitions/case_transfer/diagram"),
    ("post", "/api/v1/process-instances"), ("get", "/api/v1/process-instances"), ("get", "/api/v1/process-instances/1"),
    ("get", "/api/v1/process-instances/1/events"), ("get", "/api/v1/work-items"), ("get", "/api/v1/work-items/1"),
    ("post", "/api/v1/work-items/1/claim"), ("post", "/api/v1/work-items/1/release"),
    ("post", "/api/v1/work-items/1/reassign"), ("post", "/api/v1/work-items/1/complete"),
])
def test_every_endpoint_needs_login(client, shipped, method, path):  # noqa: ANN001
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert (response.get_json()["status"], response.get_json()["code"]) == (401, "login_required")
    expired = getattr(client, method)(path, json={}, headers={"Authorization": "Bearer expired-or-forged"})
    assert expired.status_code == 401
