"""Hostile input to the pages: 4xx pages in Chinese, never 5xx; `next=` stays on this site (issue 14, item 4)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.demo import DEMO_PASSWORD
from app.web.redirects import is_same_site_path
from tests.test_hostile_diagrams import diagram
from tests.test_hostile_input import HUGE_IDS, _int_routes, _with
from tests.test_web_pages import csrf_token, post, sign_in, start_case
from tests.test_web_resume import _case_in_error
from workflows.db import INT_MAX

OFF_SITE = ["//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
            "\t//evil.example", " //evil.example", "/\\/evil.example", "https://evil.example/", "http:evil.example",
            "javascript:alert(1)", "evil.example", "/ /evil.example", "/\x00/evil.example", "/\u3000/evil.example",
            "/%0a" + "x" * 2000, "\\\\evil.example", "/\x0b/evil.example"]
SAME_SITE = ["/work-items", "/work-items?view=mine&after=abc", "/instances/12", "/%2F%2Fevil.example",
             "/instances?business_key=沪嘉"]


def _page(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


# --- next= ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_refused(target: str) -> None:
    assert not is_same_site_path(target)


@pytest.mark.parametrize("target", SAME_SITE)
def test_paths_of_this_site_are_kept(target: str) -> None:
    assert is_same_site_path(target)


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_sends_the_browser_off_site(client: FlaskClient, demo, target: str) -> None:  # noqa: ANN001
    form = client.get("/login", query_string={"next": target})
    response = client.post("/login", data={"username": "jd_msa_liaison", "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client), "next": target})
    if "\x00" in target:
        assert (form.status_code, response.status_code) == (400, 400)  # no NUL in any text
        return
    assert '<input type="hidden" name="next" value="">' in _page(form)  # the form does not carry it on
    assert (response.status_code, response.location) == (302, "/")


def test_sign_in_returns_to_a_page_of_this_site(client: FlaskClient, demo) -> None:  # noqa: ANN001
    response = client.post("/login", data={"username": "jd_msa_liaison", "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client), "next": "/instances?status=running"})
    assert response.location == "/instances?status=running"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", "//evil.example", "https://evil.example"])
def test_the_release_form_returns_only_to_this_site(client: FlaskClient, shipped, target: str) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    item_id = start_case(client, "JD-NEXT-1")  # the starter holds the first item
    response = post(client, f"/work-items/{item_id}/release", {"next": target})
    assert (response.status_code, response.location) == (302, f"/work-items/{item_id}")
    post(client, f"/work-items/{item_id}/claim")
    kept = post(client, f"/work-items/{item_id}/release", {"next": "/work-items?view=queue"})
    assert kept.location == "/work-items?view=queue"


@pytest.mark.parametrize("query", ["next=/%09/evil.example", "next=/%5Cevil.example", "next=//evil.example",
                                   "next=/%0d%0a/evil.example", "next=https:%2F%2Fevil.example"])
def test_the_language_switch_returns_only_to_this_site(client: FlaskClient, query: str) -> None:
    assert client.get(f"/language/en?{query}").location == "/"


# --- ids, numbers and cursors ---------------------------------------------------------------------

@pytest.mark.parametrize("value", HUGE_IDS[:3] + ["-1", "١"])
def test_a_page_id_past_an_integer_is_the_404_page(app: Flask, client: FlaskClient, shipped, value) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    token = csrf_token(client, "/work-items")
    for method, rule in _int_routes(app, "/"):
        if rule.startswith("/api/"):
            continue
        response = client.open(_with(rule, value), method=method, data={"csrf_token": token})
        assert response.status_code == 404, (method, rule)
        assert "此页面不存在" in _page(response)


@pytest.mark.parametrize("path", ["/work-items", "/instances", "/notices", "/work-items?view=completed"])
@pytest.mark.parametrize("cursor", [json.dumps(["k", 10**30]), json.dumps(["o", 2**63]),
                                    json.dumps(["k", INT_MAX + 1])])
def test_a_forged_cursor_is_a_422_page(client: FlaskClient, shipped, path: str, cursor: str) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    after = base64.urlsafe_b64encode(cursor.encode()).decode()
    response = client.get(path, query_string={"after": after}) if "?" not in path else \
        client.get(f"{path}&after={after}")
    assert response.status_code == 422
    assert "该翻页链接并非本列表给出的链接" in _page(response)


@pytest.mark.parametrize("version", [str(INT_MAX + 1), str(10**30), "0", "abc"])
def test_a_version_out_of_range_is_a_422_page(client: FlaskClient, shipped, version: str) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    for page in ("diagram.bpmn", "modeler"):
        response = client.get(f"/admin/processes/case_transfer/{page}?version={version}")
        assert response.status_code == 422
        assert f"version 必须是 1 到 {INT_MAX} 之间的整数" in _page(response)


# --- text and JSON --------------------------------------------------------------------------------

def test_nul_in_a_form_or_a_query_is_a_400_page(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    for response in (post(client, "/instances", {"process_key": "case_transfer", "business_key": "a\x00b"}),
                     client.get("/instances?business_key=%00")):
        assert response.status_code == 400
        assert "文本中不得包含 NUL 字符" in _page(response)
    assert "a\x00b" not in _page(client.get("/instances"))


def test_invalid_utf8_in_a_form_post_is_kept_escaped_or_refused(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    form = f"csrf_token={csrf_token(client, '/instances/new')}&process_key=case_transfer".encode()
    escaped = client.post("/instances", data=form + b"&business_key=JD-%ff%fe",
                          content_type="application/x-www-form-urlencoded")
    assert escaped.status_code == 302  # werkzeug keeps undecodable escapes as text
    assert "JD-%FF%FE" in _page(client.get("/instances"))
    raw = client.post("/instances", data=form + b"&business_key=JD-\xff\xfe",
                      content_type="application/x-www-form-urlencoded")
    assert raw.status_code == 400  # werkzeug drops a form with raw invalid bytes: no CSRF token, refused
    assert client.get("/instances?business_key=%ff%fe").status_code == 200


def test_overlong_form_fields_are_cut_or_refused_not_500(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    started = post(client, "/instances", {"process_key": "case_transfer", "business_key": "b" * 10_000,
                                          "title": "t" * 100_000})
    assert started.status_code == 302
    for path, form in (("/admin/agency-types", {"code": "c" * 1000, "name": "n" * 10_000}),
                       ("/admin/agencies", {"code": "c" * 1000, "name": "n" * 10_000, "type": "t" * 1000,
                                            "jurisdiction": "j" * 1000, "level": "l" * 1000}),
                       ("/admin/users", {"username": "u" * 1000, "display_name": "d" * 10_000,
                                         "agency_code": "a" * 1000, "roles": "r" * 1000, "password": "p" * 10_000}),
                       ("/admin/calendar/years", {"year": "9" * 5000}), ("/admin/calendar/days", {"day": "9" * 5000})):
        response = post(client, path, form)
        assert response.status_code < 500 and response.status_code != 200, (path, response.status_code)


@pytest.mark.parametrize("corrections", ['{"parts": NaN}', '{"parts": Infinity}', '{"parts": 1e400}',
                                         '{"a":' * 70 + "1" + "}" * 70])
def test_resume_corrections_that_are_not_json_we_store_are_a_422_page(app: Flask, client: FlaskClient, shipped,  # noqa: ANN001
                                                                       corrections: str) -> None:
    instance_id = _case_in_error(app)
    sign_in(client, "admin")
    response = post(client, f"/instances/{instance_id}/resume", {"corrections": corrections})
    assert response.status_code == 422
    assert "不是有效的 JSON" in _page(response)
    assert 'data-testid="resume-form"' in _page(client.get(f"/instances/{instance_id}"))  # still in error


def _modeler_post(client: FlaskClient, path: str, body: str):  # noqa: ANN202
    return client.post(path, data=body, content_type="application/json",
                       headers={"X-CSRFToken": csrf_token(client, "/admin/modeler")})


@pytest.mark.parametrize("path", ["/admin/processes/validate", "/admin/processes/deploy"])
def test_the_modeler_refuses_nan_and_deep_xml(client: FlaskClient, shipped, path: str) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    nan = _modeler_post(client, path, '{"xml": "<a/>", "forms": {"f.json": "{}"}, "zoom": NaN}')
    assert nan.status_code == 400
    deep = diagram("deep", "deep").replace("<bpmn:endEvent id=\"end\"/>", "<a>" * 300 + "</a>" * 300)
    refused = _modeler_post(client, path, json.dumps({"xml": deep, "forms": {"f.json": '{"maximum": NaN}'}}))
    assert refused.status_code == 422
    assert "元素嵌套过深：超过 256 层" in json.dumps(refused.get_json(), ensure_ascii=False)


def test_the_upload_page_deploys_a_utf16_diagram(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    raw = diagram("page_utf16", "页面上传 Prüfung", "UTF-16").encode("utf-16")
    response = client.post("/admin/processes/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/processes/upload"), "diagram": (io.BytesIO(raw), "d.bpmn")})
    assert (response.status_code, response.location) == (302, "/admin/processes/page_utf16")
    assert "页面上传 Prüfung" in _page(client.get("/admin/processes/page_utf16/diagram.bpmn"))
    refused = client.post("/admin/processes/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/processes/upload"),
        "diagram": (io.BytesIO(diagram("x", "x", "x-nope").encode()), "d.bpmn")})
    assert refused.status_code == 422
    assert "无法识别声明的编码“x-nope”" in _page(refused)
