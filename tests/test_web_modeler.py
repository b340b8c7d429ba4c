"""The modeler's server side: the lists it offers, the form preview, and the link to start a deployed process."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import ROOT
from tests.test_web_pages import csrf_token, sign_in

FORM = {"type": "object", "title": "检查记录", "required": ["finding"], "properties": {
    "finding": {"title": "检查发现", "type": "string", "minLength": 1},
    "measure": {"title": "处理措施", "type": "string", "oneOf": [{"const": "seal", "title": "查封"},
                                                             {"const": "warn", "title": "警告"}]},
    "items": {"title": "物品", "type": "array", "items": {"type": "object", "properties": {
        "name": {"title": "物品名称", "type": "string"}}}}}}


def _config(client: FlaskClient, path: str = "/admin/modeler") -> dict:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="modeler-config">(.*?)</script>', page, re.S)
    return json.loads(html.unescape(found.group(1)))


def _preview(client: FlaskClient, body: object) -> object:
    return client.post("/admin/forms/preview", data=json.dumps(body), content_type="application/json",
                       headers={"X-CSRFToken": csrf_token(client, "/admin/modeler")})


def test_the_modeler_offers_agency_types_and_roles_from_the_directory(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    config = _config(client)
    assert {"police", "court", "market_supervision"} <= set(dict(config["agencyTypes"]))
    roles = dict(config["roles"])
    assert roles["leader"] == "负责人" and roles["liaison"] == "联络员" and roles["mediator"] == "调解员"
    client.get("/language/en")
    assert dict(_config(client)["roles"])["leader"] == "Leader"


def test_a_role_only_a_user_holds_is_offered_too(client: FlaskClient, demo, create_user, session) -> None:  # noqa: ANN001
    create_user(username="inspector1", agency_code="jd_msa", roles=["inspector"])
    session.commit()
    sign_in(client, "admin")
    assert ["inspector", "inspector"] in _config(client)["roles"]


def test_the_preview_renders_the_schema_with_the_work_item_form_macros(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    answer = _preview(client, {"schema": FORM})
    assert answer.status_code == 200
    fragment = answer.get_data(as_text=True)
    # the same ids, names and widgets the work-item page gives these fields (work_items/_form.html)
    assert 'id="f-finding" name="finding" type="text"' in fragment and "检查发现" in fragment
    assert 'type="radio" name="measure" value="seal"' in fragment and "查封" in fragment
    assert 'data-repeat="items"' in fragment and "物品名称" in fragment
    assert '<span class="req"' in fragment  # finding is required


def test_the_preview_offers_agencies_by_name_as_the_pages_do(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    schema = {"type": "object", "properties": {"target": {"title": "移送机关", "type": "string",
                                                          "x-agencies": {"type": "police"}}}}
    fragment = _preview(client, {"schema": schema}).get_data(as_text=True)
    assert 'value="jd_police"' in fragment and "嘉定" in fragment  # a choice of police agencies, not a code to type
    assert 'id="f-target" name="target" type="text"' not in fragment


def test_the_preview_refuses_what_is_no_form(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    assert _preview(client, {"schema": "text"}).status_code == 400
    assert _preview(client, ["no"]).status_code == 400
    assert _preview(client, {"schema": {"type": "object", "properties": [1, 2]}}).status_code == 422
    huge = {"type": "object", "properties": {f"f{i}": {"title": "x" * 200} for i in range(3000)}}
    too_large = _preview(client, {"schema": huge})
    assert too_large.status_code == 413
    assert "提交的内容过大。" in too_large.get_data(as_text=True)  # not werkzeug's English description


def test_a_schema_nested_as_deep_as_json_input_may_be_still_renders(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    schema: dict = {"type": "string", "title": "最里层"}
    for level in range(31):  # each group is two levels of JSON: 62 of the 64 that JSON input may nest
        schema = {"type": "object", "properties": {f"g{level}": schema}}
    answer = _preview(client, {"schema": schema})
    assert answer.status_code == 200 and "最里层" in answer.get_data(as_text=True)


@pytest.mark.parametrize("user", ["jd_msa_liaison", "jd_supervisor"])
def test_only_admins_preview_forms(client: FlaskClient, demo, user: str) -> None:  # noqa: ANN001
    sign_in(client, user)
    token = csrf_token(client, "/work-items")
    answer = client.post("/admin/forms/preview", data=json.dumps({"schema": FORM}), content_type="application/json",
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 403


def test_an_anonymous_preview_is_sent_to_sign_in(client: FlaskClient, demo) -> None:  # noqa: ANN001
    answer = client.post("/admin/forms/preview", json={"schema": FORM})
    assert answer.status_code == 400  # no session, hence no CSRF token: refused before anything is rendered
    assert "检查发现" not in answer.get_data(as_text=True)


def test_deploying_from_the_modeler_answers_the_start_page_of_the_process(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    folder = Path(ROOT) / "bpmn" / "case_transfer"
    body = {"xml": next(folder.glob("*.bpmn")).read_text(encoding="utf-8"),
            "forms": {f.name: f.read_text(encoding="utf-8") for f in folder.glob("*.json")}}
    answer = client.post("/admin/processes/deploy", data=json.dumps(body), content_type="application/json",
                         headers={"X-CSRFToken": csrf_token(client, "/admin/modeler")})
    assert answer.status_code == 200 and answer.get_json()["ok"]
    assert answer.get_json()["start_url"] == "/instances/new?process=case_transfer"


def test_the_preview_shows_a_conditional_field_as_the_item_page_does(client: FlaskClient, demo) -> None:  # noqa: ANN001
    # The same macros mark the field with its condition; forms.js (loaded by the preview) shows and hides it.
    schema = {"type": "object", "properties": {
        "acceptance": {"type": "string", "title": "受理意见", "enum": ["accept", "forward"]},
        "forward_reason": {"type": "string", "title": "转送理由"}},
        "if": {"properties": {"acceptance": {"const": "forward"}}}, "then": {"required": ["forward_reason"]}}
    sign_in(client, "admin")
    shown = _preview(client, {"schema": schema})
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    marked = page.split("data-show-when=")[1].split(">")[0]
    assert "acceptance" in marked and "forward" in marked and "hidden" in marked  # hidden until forwarding
    assert "转送理由" in page
