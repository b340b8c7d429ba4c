"""Serving: the probes, request ids and the JSON request log, addresses behind a proxy, production cookies."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import g, request
from flask_migrate import upgrade
from sqlalchemy import event

from app.extensions import db
from app.logs import log_handler, start_request
from config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _scripts() -> ScriptDirectory:
    """The shipped migration scripts."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


@pytest.fixture
def json_log() -> Iterator[Callable[[], list[dict]]]:
    """The request log as parsed JSON lines, through the handler production uses."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    logger = logging.getLogger("xietong.request")
    # Alembic's fileConfig (run by the migrations in the app fixture) disables loggers made before it.
    saved = logger.disabled, logger.level
    logger.disabled = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.disabled, logger.level = saved


def test_healthz_answers_without_database_or_cookie(app, client):  # noqa: ANN001
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert statements == []
    assert "Set-Cookie" not in response.headers


@pytest.mark.committed  # /readyz opens a connection of its own (on SQLite the test's would hold the write lock)
def test_readyz_says_ready_on_the_current_schema(client):  # noqa: ANN001
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "revision": ", ".join(sorted(_scripts().get_heads()))}
    assert "Set-Cookie" not in response.headers


def test_readyz_refuses_a_database_behind_the_migrations_until_upgraded(other_app):  # noqa: ANN001
    head = _scripts().get_current_head()
    older = _scripts().get_revision(head).down_revision
    behind = other_app()
    with behind.app_context():
        upgrade(revision=older)
    response = behind.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert older in response.get_json()["reason"] and head in response.get_json()["reason"]
    with behind.app_context():
        upgrade()
    assert behind.test_client().get("/readyz").status_code == 200


def test_readyz_refuses_an_empty_or_unreachable_database(other_app, tmp_path):  # noqa: ANN001
    empty = other_app().test_client().get("/readyz")
    assert empty.status_code == 503 and "revision none" in empty.get_json()["reason"]
    gone = other_app(database="missing/folder/x.sqlite").test_client().get("/readyz")
    assert gone.status_code == 503
    assert gone.get_json()["reason"].startswith("database unreachable")


@pytest.mark.parametrize("sent,kept", [("client-42.a_b", True), ("x" * 64, True), ("x" * 65, False),
                                       ("has space", False), ("a/b", False), ("i\"d", False), ("", False)])
def test_request_id_is_kept_when_well_formed_else_made(client, sent, kept):  # noqa: ANN001
    response = client.get("/healthz", headers={"X-Request-ID": sent} if sent else {})
    returned = response.headers["X-Request-ID"]
    if kept:
        assert returned == sent
    else:
        assert returned != sent and len(returned) == 32 and int(returned, 16) >= 0


def test_one_json_line_per_request_with_its_id_and_user(client, auth, demo, json_log):  # noqa: ANN001
    headers = {**auth.headers("jd_msa_liaison"), "X-Request-ID": "trace-me-1"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/work-items/999999", headers=headers).status_code == 404
    me, missing = [line for line in json_log() if line["request_id"] == "trace-me-1"]
    assert {k: me[k] for k in ("level", "logger", "method", "path", "endpoint", "status", "user_id",
                                "remote_addr")} == {
        "level": "INFO", "logger": "xietong.request", "method": "GET", "path": "/api/v1/me",
        "endpoint": "session.get_me", "status": 200, "user_id": demo["jd_msa_liaison"], "remote_addr": "127.0.0.1"}
    assert me["duration_ms"] >= 0 and me["timestamp"].endswith("+00:00") and me["process"] > 0
    assert (missing["status"], missing["path"]) == (404, "/api/v1/work-items/999999")
    anonymous = client.get("/healthz")
    assert json_log()[-1]["user_id"] is None
    assert json_log()[-1]["request_id"] == anonymous.headers["X-Request-ID"]


def test_every_record_of_a_request_carries_its_id(app):  # noqa: ANN001
    stream = io.StringIO()
    logger = logging.getLogger("xietong.test_serving")
    logger.addHandler(log_handler("json", stream))
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "inner-7"}):
            start_request()
            logger.warning("something in the middle of a request")
            assert g.request_id == "inner-7"
        logger.warning("outside any request")
    finally:
        logger.handlers.clear()
    inside, outside = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert inside["request_id"] == "inner-7" and inside["level"] == "WARNING"
    assert "request_id" not in outside


def test_without_proxy_hops_forwarded_addresses_are_ignored(client, json_log):  # noqa: ANN001
    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9", "X-Request-ID": "spoof-1"})
    assert [line["remote_addr"] for line in json_log() if line["request_id"] == "spoof-1"] == ["127.0.0.1"]
    refused = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert refused.status_code == 403


def test_one_proxy_hop_gives_the_client_address_and_scheme(app, other_app, json_log):  # noqa: ANN001
    behind = other_app(url=app.config["SQLALCHEMY_DATABASE_URI"], PROXY_FIX_HOPS=1)

    @behind.route("/_seen")
    def seen() -> dict[str, str | None]:
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    client = behind.test_client()
    # The client forged the first address; the one proxy appended the address it saw.
    headers = {"X-Forwarded-For": "127.0.0.1, 203.0.113.9", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "xietong.example.gov.cn", "X-Request-ID": "hop-1"}
    assert client.get("/_seen", headers=headers).get_json() == {
        "addr": "203.0.113.9", "scheme": "https", "host": "xietong.example.gov.cn"}
    assert [line["remote_addr"] for line in json_log() if line["request_id"] == "hop-1"] == ["203.0.113.9"]
    assert client.get("/metrics", headers=headers).status_code == 403  # the client is not on the loopback
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_production_cookies_are_secure_httponly_and_lax(other_app, demo, app):  # noqa: ANN001
    assert (Config.SESSION_COOKIE_HTTPONLY, Config.SESSION_COOKIE_SAMESITE) == (True, "Lax")
    assert (Config.REMEMBER_COOKIE_HTTPONLY, Config.REMEMBER_COOKIE_SAMESITE) == (True, "Lax")
    secure = other_app(url=app.config["SQLALCHEMY_DATABASE_URI"], SESSION_COOKIE_SECURE=True,
                       WTF_CSRF_ENABLED=False)
    response = secure.test_client().post("/login", data={"username": "jd_msa_liaison", "password": "xietong-demo"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
