"""Shared test data and small HTTP helpers."""

from __future__ import annotations

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
