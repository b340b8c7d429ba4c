"""An admin deploys a process nobody here wrote, for an agency type the admin creates, and it runs to the end."""

from __future__ import annotations

from tests.conftest import DATA
from tests.helpers import login, setup_customs, take, upload


def test_admin_deploys_new_process_and_it_runs_to_the_end(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    response = upload(client, admin, DATA / "inspection")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["definition"]["key"] == "joint_inspection"
    sh, ks_inspector = login(client, "sh_officer"), login(client, "ks_inspector")

    started = client.post("/api/v1/process-instances", json={"process_key": "joint_inspection",
                                                               "business_key": "JI-1"}, headers=sh)
    assert started.status_code == 201, started.get_json()
    instance = started.get_json()
    assert [w["task_name"] for w in instance["work_items"]] == ["task_request"], instance["error_reason"]

    item = take(client, sh, "task_request")
    data = {"target_office": "customs_ks", "urgent": True, "description": "查验冒牌商品"}
    done = client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data}, headers=sh)
    assert done.status_code == 200, done.get_json()

    item = take(client, ks_inspector, "task_urgent")
    assert item["candidate_agency"]["code"] == "customs_ks"
    assert item["required_role"] == "inspector" and item["deadline"] == "24 hours"
    bad = client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"inspected_on": "yesterday"}},
                      headers=ks_inspector)
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"findings", "inspected_on"}
    good = {"findings": "查获假冒商品 120 件", "inspected_on": "2026-11-20"}
    assert client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": good},
                       headers=ks_inspector).status_code == 200

    item = take(client, sh, "task_acknowledge")
    assert client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {}}, headers=sh).status_code == 200
    final = client.get(f"/api/v1/process-instances/{instance['id']}", headers=sh).get_json()
    assert final["status"] == "completed"
    assert final["data"]["findings"] == "查获假冒商品 120 件"
    assert [e["type"] for e in final["history"]].count("work_item.completed") == 3
