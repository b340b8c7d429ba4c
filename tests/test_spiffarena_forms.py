"""Issue 16 item 6: SpiffArena's form references are read; uploaded forms nothing references deploy with a warning."""

from __future__ import annotations

import io
import json

from flask.testing import FlaskClient

from tests.conftest import DATA
from tests.helpers import login, setup_customs, take
from tests.test_web_pages import csrf_token, sign_in

INSPECTION = DATA / "inspection"
SPIFF_NS = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
# How SpiffArena's own examples name a task's forms: properties, not attributes or elements of their own.
SPIFF_FORM = ('<bpmn:extensionElements><spiffworkflow:properties>'
              '<spiffworkflow:property name="formJsonSchemaFilename" value="request.json"/>'
              '<spiffworkflow:property name="formUiSchemaFilename" value="request-uischema.json"/>'
              '</spiffworkflow:properties></bpmn:extensionElements>')


def _spiff_xml() -> str:
    xml = (INSPECTION / "inspection.bpmn").read_text(encoding="utf-8")
    xml = xml.replace('xmlns:camunda=', f'{SPIFF_NS} xmlns:camunda=', 1)
    return xml.replace('<bpmn:userTask id="task_request" name="提交检查请求" camunda:formKey="request.json">',
                       f'<bpmn:userTask id="task_request" name="提交检查请求">{SPIFF_FORM}')


def _forms(*extra: str) -> dict[str, bytes]:
    forms = {name: (INSPECTION / name).read_bytes() for name in ("request.json", "result.json")}
    forms["request-uischema.json"] = b'{"ui:order": ["target_office", "urgent", "description"]}'
    return forms | {name: b'{"type": "object"}' for name in extra}


def _upload(client: FlaskClient, headers: dict, xml: str, forms: dict[str, bytes]):  # noqa: ANN202
    files = {"diagram": (io.BytesIO(xml.encode()), "d.bpmn"),
             "forms": [(io.BytesIO(raw), name) for name, raw in forms.items()]}
    return client.post("/api/v1/process-definitions", data=files, headers=headers, content_type="multipart/form-data")


def test_a_spiffarena_form_property_is_the_tasks_form(client: FlaskClient, auth) -> None:  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    deployed = _upload(client, admin, _spiff_xml(), _forms())
    assert deployed.status_code == 201, deployed.get_json()
    body = deployed.get_json()
    assert body["warnings"] == []  # the UI schema SpiffArena names beside the form counts as referenced
    tasks = {t["id"]: t for t in body["definition"]["tasks"]}
    assert tasks["task_request"]["form"] == "request.json"
    # ... so a submission is checked against it (before, the form was ignored and anything went through).
    officer = login(client, "sh_officer")
    client.post("/api/v1/process-instances", json={"process_key": "joint_inspection"}, headers=officer)
    item = take(client, officer, "task_request")
    refused = client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"urgent": "yes"}},
                          headers=officer)
    assert refused.status_code == 422
    assert {"target_office", "description", "urgent"} <= set(refused.get_json()["errors"])


def test_a_spiffarena_reference_to_a_missing_form_is_an_error(client: FlaskClient, auth) -> None:  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    forms = _forms()
    del forms["request.json"]
    refused = _upload(client, admin, _spiff_xml(), forms)
    assert refused.status_code == 422
    assert ("task_request", "form_not_uploaded", {"form": "request.json"},
            "form 'request.json' was not uploaded with the diagram") \
        in [(e["element"], e["code"], e["params"], e["message"]) for e in refused.get_json()["errors"]]


def test_uploaded_forms_nothing_references_deploy_with_a_warning(client: FlaskClient, auth) -> None:  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    deployed = _upload(client, admin, _spiff_xml(), _forms("requst.json"))
    assert deployed.status_code == 201
    assert deployed.get_json()["warnings"] == [{
        "element": "requst.json", "name": None, "code": "form_unreferenced", "params": {"form": "requst.json"},
        "message": "form 'requst.json' is not referenced by any task or start event; it is deployed but never "
                   "shown or checked"}]
    again = _upload(client, admin, _spiff_xml(), _forms("requst.json"))  # identical: unchanged, same warning
    assert again.status_code == 200 and again.get_json()["warnings"] == deployed.get_json()["warnings"]


def test_the_admin_pages_show_the_warning(client: FlaskClient, auth) -> None:  # noqa: ANN001
    setup_customs(client, auth.headers("admin"))
    sign_in(client, "admin")
    body = {"xml": _spiff_xml(), "forms": {k: v.decode() for k, v in _forms("extra.json").items()}}
    headers = {"X-CSRFToken": csrf_token(client, "/admin/modeler")}
    for path in ("/admin/processes/validate", "/admin/processes/deploy"):
        answer = client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)
        assert answer.status_code == 200 and answer.get_json()["ok"]
        assert [w["element"] for w in answer.get_json()["warnings"]] == ["extra.json"]
        assert "没有任何任务或开始事件引用" in answer.get_json()["warnings"][0]["message"]
    uploaded = client.post("/admin/processes/upload", content_type="multipart/form-data", follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/admin/processes/upload"),
        "diagram": (io.BytesIO(_spiff_xml().replace("联合检查请求", "联合检查").encode()), "d.bpmn"),
        "forms": [(io.BytesIO(raw), name) for name, raw in _forms("extra.json").items()]})
    page = uploaded.get_data(as_text=True)
    assert uploaded.status_code == 200 and 'class="flash warning"' in page and "extra.json" in page
