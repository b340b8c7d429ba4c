"""Process definitions (upload, validation, versions) and process instances over the API."""

from __future__ import annotations

import gc
import io
import os
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.helpers import REGISTER, login, open_item, setup_customs, start_case, take, upload

INSPECTION = DATA / "inspection"


def _upload_text(client, headers, xml: str, forms: dict[str, bytes] | None = None):  # noqa: ANN001
    files = {"diagram": (io.BytesIO(xml.encode()), "d.bpmn"),
             "forms": [(io.BytesIO(raw), name) for name, raw in (forms or {}).items()]}
    return client.post("/api/v1/process-definitions", data=files, headers=headers, content_type="multipart/form-data")


def _errors(response) -> list[dict]:  # noqa: ANN001
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]


def test_upload_is_admin_only(client, auth):  # noqa: ANN001
    assert upload(client, {}, INSPECTION).status_code == 401
    assert upload(client, auth.headers("jd_msa_leader"), INSPECTION).status_code == 403
    missing = client.post("/api/v1/process-definitions", data={}, headers=auth.headers("admin"),
                          content_type="multipart/form-data")
    assert missing.status_code == 422


@pytest.mark.parametrize("name,element", [("import_os.bpmn", "script_evil"), ("subclasses.bpmn", "f2")])
def test_escaping_expressions_are_rejected_at_deploy(client, auth, name, element):  # noqa: ANN001
    response = upload(client, auth.headers("admin"), DATA / "evil", name=name, forms=())
    errors = _errors(response)
    assert element in [e["element"] for e in errors]
    assert client.get("/api/v1/process-definitions", headers=auth.headers("admin")).get_json() == []
    assert not Path("/tmp/xietong-pwned").exists()


def test_instance_data_never_executes(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    assert upload(client, admin, INSPECTION).status_code == 201
    sh = login(client, "sh_officer")
    client.post("/api/v1/process-instances", json={"process_key": "joint_inspection"}, headers=sh)
    item = take(client, sh, "task_request")
    payload = "__import__('os').system('touch /tmp/xietong-pwned')"
    data = {"target_office": "customs_ks", "urgent": True, "description": payload}
    assert client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data}, headers=sh).status_code == 200
    urgent = client.get("/api/v1/work-items?view=queue", headers=login(client, "ks_inspector")).get_json()
    assert [i["task_name"] for i in urgent] == ["task_urgent"]  # the condition read the text as a plain string
    assert not os.path.exists("/tmp/xietong-pwned")


@pytest.mark.parametrize("xml,fragment", [
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>', "DTD"),
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>', "DTD"),
    ("<not-closed>", "well-formed"),
    ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>', "executable"),
])
def test_unsafe_or_empty_documents_are_422(client, auth, xml, fragment):  # noqa: ANN001
    errors = _errors(_upload_text(client, auth.headers("admin"), xml))
    assert fragment in errors[0]["message"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_oversized_document_is_rejected(client, auth):  # noqa: ANN001
    xml = "<a>" + "x" * (2 * 1024 * 1024) + "</a>"
    assert "limit" in _errors(_upload_text(client, auth.headers("admin"), xml))[0]["message"]
    # The test client spools the large request body to a temporary file it never closes; collect it here.
    gc.collect()


def test_every_problem_is_named_at_its_element(client, auth):  # noqa: ANN001
    xml = (INSPECTION / "inspection.bpmn").read_text()
    xml = xml.replace('id="start"', 'id="Start"').replace('sourceRef="start"', 'sourceRef="Start"')
    xml = xml.replace("<bpmn:flowNodeRef>start</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>Start</bpmn:flowNodeRef>")
    xml = xml.replace('value="24 hours"', 'value="soon"').replace('value="customs"', 'value="martians"', 1)
    xml = xml.replace("urgent == True", "open('/etc/passwd') and urgent")
    forms = {"request.json": b'{"type": "object"}', "result.json": b'{"type": 12}'}
    errors = {(e["element"], e["message"].split(":")[0]) for e in _errors(_upload_text(client, auth.headers("admin"),
                                                                                    xml, forms))}
    elements = {e for e, _ in errors}
    assert {"Start", "task_urgent", "lane_requester", "f_urgent", "result.json"} <= elements


def test_missing_form_and_unlaned_task(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    xml = (INSPECTION / "inspection.bpmn").read_text().replace(
        "<bpmn:flowNodeRef>task_acknowledge</bpmn:flowNodeRef>", "")
    errors = _errors(_upload_text(client, admin, xml, {"request.json": (INSPECTION / "request.json").read_bytes()}))
    messages = {e["element"]: e["message"] for e in errors}
    assert "result.json" in messages["task_urgent"]
    assert "not in a lane" in messages["task_acknowledge"]


def test_versions_and_identical_reupload(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    first = upload(client, admin, INSPECTION)
    assert first.status_code == 201 and first.get_json()["definition"]["version"] == 1
    again = upload(client, admin, INSPECTION)
    assert again.status_code == 200 and again.get_json() == {**first.get_json(), "created": False}
    sh = login(client, "sh_officer")
    old = client.post("/api/v1/process-instances", json={"process_key": "joint_inspection"}, headers=sh).get_json()
    xml = (INSPECTION / "inspection.bpmn").read_text().replace("确认检查结果", "确认检查结果并归档")
    forms = {n: (INSPECTION / n).read_bytes() for n in ("request.json", "result.json")}
    second = _upload_text(client, admin, xml, forms)
    assert second.status_code == 201 and second.get_json()["definition"]["version"] == 2
    versions = client.get("/api/v1/process-definitions/joint_inspection", headers=sh).get_json()
    assert [v["version"] for v in versions] == [2, 1]
    assert "归档" in client.get("/api/v1/process-definitions/joint_inspection/diagram", headers=sh).get_data(True)
    assert "归档" not in client.get("/api/v1/process-definitions/joint_inspection/diagram?version=1",
                                  headers=sh).get_data(True)
    new = client.post("/api/v1/process-instances", json={"process_key": "joint_inspection"}, headers=sh).get_json()
    assert (old["process_version"], new["process_version"]) == (1, 2)
    assert client.get(f"/api/v1/process-instances/{old['id']}", headers=sh).get_json()["process_version"] == 1


def test_unknown_definition_is_404(client, auth):  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    assert client.get("/api/v1/process-definitions/nope", headers=headers).status_code == 404
    assert client.get("/api/v1/process-definitions/nope/diagram", headers=headers).status_code == 404
    assert client.get("/api/v1/process-definitions", headers={}).status_code == 401


def test_start_rules(client, auth, shipped):  # noqa: ANN001
    police = auth.headers("jd_police_liaison")
    denied = client.post("/api/v1/process-instances", json={"process_key": "case_transfer"}, headers=police)
    assert denied.status_code == 403
    unknown = client.post("/api/v1/process-instances", json={"process_key": "nope"}, headers=police)
    assert unknown.status_code == 404
    assert client.post("/api/v1/process-instances", json={}, headers=police).status_code == 422
    assert client.post("/api/v1/process-instances", data="{", content_type="application/json",
                       headers=police).status_code == 400
    assert client.post("/api/v1/process-instances", json={"process_key": "case_transfer"}).status_code == 401


def test_instance_visibility(client, auth, shipped):  # noqa: ANN001
    bureau = auth.headers("jd_msa_liaison")
    instance = start_case(client, bureau)
    path = f"/api/v1/process-instances/{instance['id']}"
    assert instance["status"] == "running" and instance["process_version"] == 1
    assert [w["task_name"] for w in instance["work_items"]] == ["task_register"]
    assert instance["history"][0]["type"] == "instance.started"
    for outsider in ("cn_msa_liaison", "jd_police_liaison", "jd_procurator"):
        assert client.get(path, headers=auth.headers(outsider)).status_code == 403
        assert client.get(f"{path}/events", headers=auth.headers(outsider)).status_code == 403
        listed = client.get("/api/v1/process-instances", headers=auth.headers(outsider)).get_json()
        assert instance["id"] not in [i["id"] for i in listed]
    for overseer in ("jd_supervisor", "admin"):
        assert client.get(path, headers=auth.headers(overseer)).status_code == 200
    assert client.get("/api/v1/process-instances/99999", headers=bureau).status_code == 404
    assert client.get(path).status_code == 401
    listed = client.get("/api/v1/process-instances?status=running&process_key=case_transfer", headers=bureau)
    assert [i["id"] for i in listed.get_json()] == [instance["id"]]
    assert client.get("/api/v1/process-instances?status=completed", headers=bureau).get_json() == []
    assert client.get("/api/v1/process-instances?status=bogus", headers=bureau).status_code == 422


def test_police_sees_the_case_once_it_holds_a_work_item(client, auth, shipped):  # noqa: ANN001
    bureau, leader = auth.headers("jd_msa_liaison"), auth.headers("jd_msa_leader")
    instance = start_case(client, bureau)
    steps = [(bureau, "task_register", REGISTER),
             (bureau, "task_verify", {"special_team_officers": ["王敏", "李强"], "transfer_report": "达到追诉标准"}),
             (leader, "task_approve", {"approval": "approve"}),
             (bureau, "task_transfer", {"transfer_letter_no": "沪嘉市监移〔2026〕1号",
                                        "transfer_documents": ["transfer_letter", "investigation_report"],
                                        "copied_to_procuratorate": True})]
    for headers, task, data in steps:
        item = open_item(client, headers, task)
        assert client.post(f"/api/v1/work-items/{item['id']}/claim", headers=headers).status_code == 200
        done = client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data}, headers=headers)
        assert done.status_code == 200, done.get_json()
    path = f"/api/v1/process-instances/{instance['id']}"
    police = client.get(path, headers=auth.headers("jd_police_liaison"))
    assert police.status_code == 200
    assert [w["task_name"] for w in police.get_json()["work_items"]] == ["task_accept"]
    assert client.get(path, headers=auth.headers("jd_procurator")).status_code == 200  # the copy (抄送)
    assert client.get(path, headers=auth.headers("cn_msa_liaison")).status_code == 403


def test_unresolvable_lane_stops_the_instance_visibly(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    upload(client, admin, INSPECTION)
    sh = login(client, "sh_officer")
    instance = client.post("/api/v1/process-instances", json={"process_key": "joint_inspection"}, headers=sh)
    item = take(client, sh, "task_request")
    data = {"target_office": "customs_nowhere", "urgent": False, "description": "x"}
    assert client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data}, headers=sh).status_code == 200
    detail = client.get(f"/api/v1/process-instances/{instance.get_json()['id']}", headers=sh).get_json()
    assert detail["status"] == "error"
    assert "customs_nowhere" in detail["error_reason"]
    assert "instance.error" in [e["type"] for e in detail["history"]]
