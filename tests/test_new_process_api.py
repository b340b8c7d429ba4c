"""An admin deploys a process nobody here wrote, for an agency type the admin creates, and it runs to the end."""

from __future__ import annotations

import io

from tests.conftest import DATA


def _upload(client, headers, folder, name="inspection.bpmn", forms=("request.json", "result.json")):  # noqa: ANN001
    """Upload a diagram folder as multipart form data."""
    files = {"diagram": (io.BytesIO((folder / name).read_bytes()), name),
             "forms": [(io.BytesIO((folder / f).read_bytes()), f) for f in forms]}
    return client.post("/api/v1/process-definitions", data=files, headers=headers,
                       content_type="multipart/form-data")


def _setup_customs(client, admin):  # noqa: ANN001
    """Create the agency type, two agencies and their users through the API."""
    created = client.post("/api/v1/agency-types", json={"code": "customs", "name": "海关"}, headers=admin)
    assert created.status_code == 201
    for code, place in (("customs_sh", "上海市"), ("customs_ks", "昆山市")):
        body = {"code": code, "name": f"{place}海关", "type": "customs", "jurisdiction": place, "level": "city"}
        assert client.post("/api/v1/agencies", json=body, headers=admin).status_code == 201
    users = [("sh_officer", "customs_sh", ["liaison"]), ("ks_inspector", "customs_ks", ["inspector"]),
             ("ks_officer", "customs_ks", ["liaison"])]
    for username, agency, roles in users:
        body = {"username": username, "display_name": username, "agency_code": agency, "roles": roles,
                "password": "secret-pass-1"}
        assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201


def _login(client, username):  # noqa: ANN001
    """Bearer headers for a user created in the test."""
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "secret-pass-1"}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


def _take(client, headers, task_name):  # noqa: ANN001
    """Find the task in the caller's queue and claim it."""
    queue = client.get("/api/v1/work-items?view=queue", headers=headers).get_json()
    item = next(i for i in queue if i["task_name"] == task_name)
    assert client.post(f"/api/v1/work-items/{item['id']}/claim", headers=headers).status_code == 200
    return item


def test_admin_deploys_new_process_and_it_runs_to_the_end(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    _setup_customs(client, admin)
    response = _upload(client, admin, DATA / "inspection")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["definition"]["key"] == "joint_inspection"
    sh, ks_inspector = _login(client, "sh_officer"), _login(client, "ks_inspector")

    started = client.post("/api/v1/process-instances", json={"process_key": "joint_inspection",
                                                               "business_key": "JI-1"}, headers=sh)
    assert started.status_code == 201, started.get_json()
    instance = started.get_json()
    assert [w["task_name"] for w in instance["work_items"]] == ["task_request"], instance["error_reason"]

    item = _take(client, sh, "task_request")
    data = {"target_office": "customs_ks", "urgent": True, "description": "查验冒牌商品"}
    done = client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data}, headers=sh)
    assert done.status_code == 200, done.get_json()

    item = _take(client, ks_inspector, "task_urgent")
    assert item["candidate_agency"]["code"] == "customs_ks"
    assert item["required_role"] == "inspector" and item["deadline"] == "24 hours"
    bad = client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"inspected_on": "yesterday"}},
                      headers=ks_inspector)
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"findings", "inspected_on"}
    good = {"findings": "查获假冒商品 120 件", "inspected_on": "2026-11-20"}
    assert client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": good},
                       headers=ks_inspector).status_code == 200

    item = _take(client, sh, "task_acknowledge")
    assert client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {}}, headers=sh).status_code == 200
    final = client.get(f"/api/v1/process-instances/{instance['id']}", headers=sh).get_json()
    assert final["status"] == "completed"
    assert final["data"]["findings"] == "查获假冒商品 120 件"
    assert [e["type"] for e in final["history"]].count("work_item.completed") == 3
