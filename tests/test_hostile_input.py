"""Hostile input to the API answers 4xx with a clear message, never 5xx (issue 14, item 4).

Ids and numbers past what an Integer column holds (PostgreSQL refused them with a 500, SQLite past
64 bits too), JSON that is not JSON (NaN, Infinity), too deep, with NUL characters, not UTF-8,
sent as something else or not at all, unknown fields, overlong text. The diagram uploads are in
tests/test_hostile_diagrams.py, the pages in tests/test_hostile_pages.py. Every test runs on
SQLite and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate

from app.headers import CONTENT_SECURITY_POLICY
from tests.helpers import REGISTER, open_item, start_case
from workflows.db import INT_MAX, INT_MIN

HUGE_IDS = [str(INT_MAX + 1), str(2**63), str(10**30), "9" * 5000]
NOT_IDS = ["-1", "+1", "1e3", "0x10", "١", "1.0", "%201"]  # sign, exponent, hex, Arabic-Indic one, fraction, space
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]


def _cursor(*values: Any) -> str:
    """A cursor made by hand, as a client might forge one."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def _int_routes(app: Flask, prefix: str) -> list[tuple[str, str]]:
    """(method, rule) of every route under the prefix with an `<int:...>` part."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and "<int:" in rule.rule:
            found += [(method, rule.rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def _with(rule: str, value: str) -> str:
    """The rule with every dynamic part replaced: ints by the value, other parts by a plain word."""
    import re
    path = re.sub(r"<int:[^>]+>", value, rule)
    return re.sub(r"<[^>]+>", "x", path)


def _call(client: FlaskClient, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
    return client.open(path, method=method, headers=headers, **kwargs)


@pytest.fixture
def admin(auth) -> dict[str, str]:  # noqa: ANN001
    return auth.headers("admin")


# --- ids in paths -------------------------------------------------------------------------------

def test_every_api_route_with_an_id_is_covered(app: Flask) -> None:
    routes = _int_routes(app, "/api/")
    assert len(routes) >= 15
    assert ("POST", "/api/v1/work-items/<int:item_id>/claim") in routes


@pytest.mark.parametrize("value", HUGE_IDS + NOT_IDS)
def test_an_id_past_an_integer_or_not_an_id_is_404_everywhere(app, client, admin, value) -> None:  # noqa: ANN001
    for method, rule in _int_routes(app, "/api/"):
        response = _call(client, method, _with(rule, value), admin, json={})
        assert response.status_code == 404, (method, rule, response.get_json())
        assert response.get_json()["message"].startswith("The requested URL was not found")


@pytest.mark.parametrize("path,message", [
    ("/api/v1/work-items/{}", "work item {} not found"),
    ("/api/v1/process-instances/{}", "process instance {} not found"),
    ("/api/v1/process-instances/{}/events", "process instance {} not found"),
])
def test_the_largest_integer_reaches_the_database_and_is_not_found(client, admin, path, message) -> None:  # noqa: ANN001
    response = client.get(path.format(INT_MAX), headers=admin)
    assert response.status_code == 404
    assert response.get_json()["message"] == message.format(INT_MAX)


# --- numbers in query strings and bodies --------------------------------------------------------

LISTS = ["/api/v1/work-items", "/api/v1/process-instances", "/api/v1/notices"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("param,value", [
    ("offset", str(INT_MAX + 1)), ("offset", str(2**63)), ("offset", str(10**30)), ("offset", "-1"),
    ("offset", "abc"), ("offset", "9" * 5000), ("limit", "0"), ("limit", "501"), ("limit", str(2**63)),
    ("limit", "1e3"), ("limit", "NaN"), ("limit", "Infinity"),
])
def test_paging_numbers_out_of_range_are_422_naming_the_field(client, admin, path, param, value) -> None:  # noqa: ANN001
    response = client.get(f"{path}?{param}={value}", headers=admin)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["query"]) == [param]


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_offset_is_an_empty_page(client, admin, path) -> None:  # noqa: ANN001
    response = client.get(f"{path}?offset={INT_MAX}", headers=admin)
    assert response.status_code == 200
    assert response.get_json() == []


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("cursor", [
    _cursor("k", 10**30), _cursor("k", INT_MAX + 1), _cursor("k", INT_MIN - 1), _cursor("o", 2**63),
    _cursor("o", -1), _cursor("k", "2026-01-01T00:00:00+00:00", 10**30), _cursor("k", None),
    base64.urlsafe_b64encode(b'["k",NaN]').decode(), "%ff%fe", "A" * 201, "not a cursor",
])
def test_forged_paging_cursors_are_422(client, admin, path, cursor) -> None:  # noqa: ANN001
    response = client.get(f"{path}?after={cursor}", headers=admin)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["message"] == "the paging cursor is not one this list gave" or "after" in body["errors"]["query"]


@pytest.mark.parametrize("version", ["0", "-1", str(INT_MAX + 1), str(10**30), "abc", "1.5"])
def test_a_diagram_version_out_of_range_is_422(client, admin, shipped, version) -> None:  # noqa: ANN001
    response = client.get(f"/api/v1/process-definitions/case_transfer/diagram?version={version}", headers=admin)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == ["version"]  # the field named, as the document declares


@pytest.mark.parametrize("assignee", [INT_MAX + 1, 2**63, 10**30, 0, -1, "1", 1.5, None, True])
def test_a_reassignment_to_a_number_no_column_holds_is_422(client, auth, shipped, assignee) -> None:  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    start_case(client, liaison)
    item = open_item(client, liaison, "task_register")
    response = client.post(f"/api/v1/work-items/{item['id']}/reassign", json={"assignee_id": assignee},
                           headers=auth.headers("jd_msa_leader"))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["assignee_id"]


# --- every input schema bounds its numbers and its text -----------------------------------------

def _argument_schemas(app: Flask) -> dict[str, Schema]:
    """The schema of every `@blp.arguments` of the API, by endpoint."""
    found = {}
    for endpoint, view in app.view_functions.items():
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            schema = parameter["schema"]
            found[endpoint] = schema() if isinstance(schema, type) else schema
    return found


def _unbounded(field: fields.Field) -> bool:
    """An integer without a range inside an Integer column's, or text without a length limit or a fixed set."""
    checks = field.validators
    if isinstance(field, fields.Integer):
        return not any(isinstance(v, validate.Range) and v.min is not None and v.max is not None
                       and v.min >= INT_MIN and v.max <= INT_MAX for v in checks)
    if isinstance(field, fields.String):
        fixed = (validate.OneOf, validate.Regexp)
        return not any(isinstance(v, validate.Length) and v.max is not None or isinstance(v, fixed) for v in checks)
    return False


def test_every_number_and_text_an_input_schema_takes_is_bounded(app: Flask) -> None:
    schemas = _argument_schemas(app)
    assert len(schemas) >= 15
    unbounded = [f"{endpoint}: {name}" for endpoint, schema in schemas.items()
                 for name, field in schema.load_fields.items() if _unbounded(field)]
    assert unbounded == []


# --- JSON bodies --------------------------------------------------------------------------------

def _instances(client: FlaskClient, admin: dict[str, str]) -> list[int]:
    return [i["id"] for i in client.get("/api/v1/process-instances?limit=500", headers=admin).get_json()]


@pytest.mark.parametrize("number", NON_FINITE)
def test_non_finite_numbers_anywhere_in_a_body_are_400_and_nothing_is_stored(client, auth, shipped,  # noqa: ANN001
                                                                              number) -> None:
    liaison, admin = auth.headers("jd_msa_liaison"), auth.headers("admin")
    before = _instances(client, admin)
    body = f'{{"process_key": "case_transfer", "data": {{"parties": [{{"name": "x", "share": {number}}}]}}}}'
    response = client.post("/api/v1/process-instances", data=body, content_type="application/json", headers=liaison)
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("the request body is not valid JSON: ")
    assert "JSON number" in response.get_json()["message"]
    assert _instances(client, admin) == before


@pytest.mark.parametrize("number", NON_FINITE)
def test_a_form_submission_with_a_non_finite_number_is_400_and_the_item_stays_open(client, auth, shipped,  # noqa: ANN001
                                                                                    number) -> None:
    liaison = auth.headers("jd_msa_liaison")
    start_case(client, liaison)
    item = open_item(client, liaison, "task_register")
    client.post(f"/api/v1/work-items/{item['id']}/claim", headers=liaison)
    body = json.dumps({"data": REGISTER}).replace('"illegal_gains": 12000', f'"illegal_gains": {number}')
    response = client.post(f"/api/v1/work-items/{item['id']}/complete", data=body, content_type="application/json",
                           headers=liaison)
    assert response.status_code == 400
    assert client.get(f"/api/v1/work-items/{item['id']}", headers=liaison).get_json()["status"] == "claimed"


@pytest.mark.parametrize("body,reason", [
    ("[" * 100_000 + "]" * 100_000, "nested deeper than the limit of 64"),
    ('{"a":' * 65 + "1" + "}" * 65, "nested deeper than the limit of 64"),
    ('{"username": "a\\u0000b", "password": "x"}', "NUL character"),
    ('{"username\\u0000": "a", "password": "x"}', "NUL character"),
    ('{"username": "a", "password": "x"', "Expecting ',' delimiter"),
    ("{'username': 'a'}", "Expecting property name enclosed in double quotes"),
    ('{"username": 1' + "0" * 5000 + ', "password": "x"}', "Exceeds the limit"),
])
def test_json_that_is_not_json_we_read_is_400_with_the_reason(client, demo, body, reason) -> None:  # noqa: ANN001
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400
    assert reason in response.get_json()["message"]


def test_a_body_that_is_not_utf8_is_400(client, demo) -> None:  # noqa: ANN001
    response = client.post("/api/v1/auth/token", data=b'{"username": "\xff\xfe", "password": "x"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "the request body is not valid JSON: the body is not UTF-8 " \
                                             "(byte 0xff at 14)"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_sent_as_something_else_is_415(client, demo, content_type) -> None:  # noqa: ANN001
    response = client.post("/api/v1/auth/token", data='{"username": "admin", "password": "x"}',
                           content_type=content_type)
    assert response.status_code == 415
    assert response.get_json()["message"].startswith("send the body as JSON (Content-Type: application/json)")


@pytest.mark.parametrize("body", ["", "   ", "[]", '"text"', "1", "null"])
def test_an_empty_or_non_object_body_is_422(client, demo, body) -> None:  # noqa: ANN001
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 422, response.get_json()


def test_unknown_fields_and_overlong_text_are_422_naming_them(client, auth, shipped) -> None:  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    unknown = client.post("/api/v1/process-instances", json={"process_key": "case_transfer", "owner": 1},
                          headers=liaison)
    assert (unknown.status_code, unknown.get_json()["errors"]) == (422, {"owner": ["Unknown field."]})
    long = client.post("/api/v1/process-instances", headers=liaison, json={
        "process_key": "k" * 10_000, "business_key": "b" * 10_000, "title": "t" * 100_000})
    assert long.status_code == 422
    assert set(long.get_json()["errors"]) == {"process_key", "business_key", "title"}


def test_nul_in_a_query_or_a_path_is_400(client, admin) -> None:  # noqa: ANN001
    for path in ("/api/v1/process-instances?business_key=a%00b", "/api/v1/process-definitions/a%00b",
                 "/api/v1/work-items?process_key=%00"):
        response = client.get(path, headers=admin)
        assert (response.status_code, response.get_json()["message"]) == (400, "text may not contain the NUL "
                                                                                 "character")


def test_invalid_utf8_in_a_query_string_is_read_not_500(client, admin) -> None:  # noqa: ANN001
    response = client.get("/api/v1/process-instances?business_key=%ff%fe%C3", headers=admin)
    assert response.status_code == 200
    assert response.get_json() == []


# --- the last line ---------------------------------------------------------------------------------

@pytest.mark.parametrize("page", [False, True])
def test_a_value_the_database_still_refuses_is_a_logged_422(app, other_app, caplog, page) -> None:  # noqa: ANN001
    """Should a number slip past the checks, PostgreSQL's DataError and SQLite's OverflowError alike are a 422."""
    import logging

    from flask import Blueprint
    from sqlalchemy import text

    from app.extensions import db
    from app.web.security import html_errors

    probe = other_app(url=app.config["SQLALCHEMY_DATABASE_URI"])
    pages = Blueprint("probe_pages", __name__)
    html_errors(pages)  # as the page blueprints answer failures
    target = pages if page else probe
    target.add_url_rule("/probe", "probe", lambda: str(db.session.scalar(text("SELECT CAST(:n AS INTEGER)"),
                                                                         {"n": 2**70})))
    probe.register_blueprint(pages)
    logger = logging.getLogger("app.errors")
    disabled, logger.disabled = logger.disabled, False  # Alembic's fileConfig (the migrations) disabled it
    try:
        response = probe.test_client().get("/probe")
    finally:
        logger.disabled = disabled
    assert response.status_code == 422
    assert "the database refused a value of GET /probe" in caplog.text
    if page:
        assert "请求中的某个值超出范围或无法保存" in response.get_data(as_text=True)
    else:
        assert response.get_json()["message"] == "a value in the request is out of range or not storable"


# --- headers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/nowhere", "/login", "/static/css/app.css", "/healthz"])
def test_every_response_carries_the_security_headers(client, demo, path) -> None:  # noqa: ANN001
    with client.get(path) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert (headers["X-Content-Type-Options"], headers["X-Frame-Options"], headers["Referrer-Policy"]) == \
        ("nosniff", "DENY", "same-origin")
