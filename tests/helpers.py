"""Shared test data and small HTTP helpers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

REGISTER = {
    "admin_case_no": "沪嘉市监案〔2026〕101号",
    "case_summary": "销售假冒注册商标的运动鞋",
    "parties": [{"name": "上海某贸易有限公司", "party_type": "legal_person"}],
    "ip_type": "trademark",
    "suspected_offence": "销售假冒注册商标的商品罪",
    "illegal_business_volume": 86000,
    "illegal_gains": 12000,
    "evidence_list": [{"name": "现场检查笔录"}],
}


def start_case(client: FlaskClient, headers: dict[str, str], business_key: str = "JD-2026-101") -> dict[str, Any]:
    """Start a case transfer as the given user and return the instance."""
    response = client.post("/api/v1/process-instances", json={"process_key": "case_transfer",
                                                               "business_key": business_key}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def open_item(client: FlaskClient, headers: dict[str, str], task_name: str) -> dict[str, Any]:
    """The caller's queued item for a task."""
    queue = client.get("/api/v1/work-items?view=queue", headers=headers).get_json()
    matches = [i for i in queue if i["task_name"] == task_name]
    assert matches, f"{task_name} not in queue: {[i['task_name'] for i in queue]}"
    return matches[0]


def upload(client, headers, folder: Path, name="inspection.bpmn", forms=("request.json", "result.json")):  # noqa: ANN001
    """Upload a diagram folder as multipart form data."""
    files = {"diagram": (io.BytesIO((folder / name).read_bytes()), name),
             "forms": [(io.BytesIO((folder / f).read_bytes()), f) for f in forms]}
    return client.post("/api/v1/process-definitions", data=files, headers=headers,
                       content_type="multipart/form-data")


def setup_customs(client, admin):  # noqa: ANN001
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


def login(client, username):  # noqa: ANN001
    """Bearer headers for a user created in the test."""
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "secret-pass-1"}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


def take(client, headers, task_name):  # noqa: ANN001
    """Find the task in the caller's queue and claim it."""
    queue = client.get("/api/v1/work-items?view=queue", headers=headers).get_json()
    item = next(i for i in queue if i["task_name"] == task_name)
    assert client.post(f"/api/v1/work-items/{item['id']}/claim", headers=headers).status_code == 200
    return item
