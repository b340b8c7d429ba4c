"""Metrics: latency by endpoint, committed work counted from the audit trail, timers, errors, who may read."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update

from app.timers import run_loop
from tests.helpers import REGISTER, open_item, start_case
from workflows.models import ProcessInstance, User
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.work_items import claim, complete


def value(name: str, **labels: str) -> float:
    """The current value of a sample in this process (0 when the series does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def work_counts() -> tuple[float, float, float]:
    """Instances started, work items opened and completed so far."""
    return (value("xietong_instances_started_total"), value("xietong_work_items_opened_total"),
            value("xietong_work_items_completed_total"))


def scrape(client) -> str:  # noqa: ANN001
    """The /metrics text."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_work_counts_move_after_commit_only(session, shipped):  # noqa: ANN001
    liaison = session.get(User, shipped["jd_msa_liaison"])
    started, opened, completed = work_counts()
    instance = start_instance(session, liaison, "case_transfer", business_key="M-1")
    assert work_counts() == (started, opened, completed)  # flushed, not committed
    session.commit()
    assert work_counts() == (started + 1, opened + 1, completed)
    item = claim(session, liaison, instance_work_items(session, instance, active_only=True)[0])
    session.commit()
    complete(session, liaison, item, REGISTER)
    session.rollback()
    assert work_counts() == (started + 1, opened + 1, completed)  # the rolled-back completion left no trace
    item = instance_work_items(session, instance, active_only=True)[0]
    complete(session, liaison, item, REGISTER)
    session.commit()
    assert work_counts() == (started + 1, opened + 2, completed + 1)  # the next task opened


def test_a_closed_session_forgets_its_uncommitted_events(app, session, shipped, create_instance):  # noqa: ANN001
    before = work_counts()
    create_instance(business_key="M-2")
    session.close()  # as at the end of a request that failed before its commit
    session.commit()  # a later, empty transaction on the same session counts nothing
    assert work_counts() == before


def test_requests_are_timed_by_endpoint_never_by_path(client, auth, shipped):  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    start_case(client, liaison)
    item = open_item(client, liaison, "task_register")
    endpoint = {"endpoint": "work_items.get_work_item", "method": "GET"}
    before = value("xietong_request_duration_seconds_count", **endpoint)
    assert client.get(f"/api/v1/work-items/{item['id']}", headers=liaison).status_code == 200
    client.post("/api/v1/work-items/nope/claim", headers=liaison, json={})
    assert value("xietong_request_duration_seconds_count", **endpoint) == before + 1
    text = scrape(client)
    assert f"/api/v1/work-items/{item['id']}" not in text and "/nope" not in text
    assert 'xietong_request_duration_seconds_bucket{endpoint="work_items.get_work_item",le="0.5",method="GET"}' in text
    assert 'xietong_requests_total{endpoint="unmatched",method="POST",status="404"}' in text


def test_http_completion_shows_in_the_scrape(client, auth, shipped):  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    start_case(client, liaison)
    item = open_item(client, liaison, "task_register")
    client.post(f"/api/v1/work-items/{item['id']}/claim", headers=liaison)
    before = value("xietong_work_items_completed_total")
    rejected = client.post(f"/api/v1/work-items/{item['id']}/complete", headers=liaison, json={"data": {}})
    assert rejected.status_code == 422 and value("xietong_work_items_completed_total") == before
    done = client.post(f"/api/v1/work-items/{item['id']}/complete", headers=liaison, json={"data": REGISTER})
    assert done.status_code == 200
    assert f"xietong_work_items_completed_total {before + 1}" in scrape(client)


def test_timer_passes_and_instances_in_error(app, client, session, shipped):  # noqa: ANN001
    passes = value("xietong_timer_passes_total")
    run_loop(app, 0, once=True)
    assert value("xietong_timer_passes_total") == passes + 1
    assert "xietong_instances_in_error 0.0" in scrape(client)
    liaison = session.get(User, shipped["jd_msa_liaison"])
    instance = start_instance(session, liaison, "case_transfer", business_key="M-3")
    session.commit()
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance.id).values(status="error"))
    session.commit()
    assert "xietong_instances_in_error 1.0" in scrape(client)


@pytest.mark.parametrize("address,allowed", [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
                                             ("10.0.0.8", False), ("192.168.1.20", False), ("2001:db8::1", False)])
def test_metrics_only_for_allowed_addresses(client, address, allowed):  # noqa: ANN001
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == (200 if allowed else 403)
    assert "Set-Cookie" not in response.headers


def test_metrics_allow_list_and_switch_are_settings(app, other_app):  # noqa: ANN001
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    office = other_app(url=url, METRICS_ALLOW="10.0.0.0/8, fd00::/8").test_client()
    assert office.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert office.get("/metrics", environ_base={"REMOTE_ADDR": "fd00::5"}).status_code == 200
    assert office.get("/metrics").status_code == 403  # loopback is no longer in the list
    switched_off = other_app(url=url, METRICS_ENABLED=False).test_client()
    assert switched_off.get("/metrics").status_code == 404


def test_a_rolled_back_savepoint_takes_its_events_with_it(session, shipped, create_instance):  # noqa: ANN001
    """The timer worker fires each instance in a savepoint; one that fails counts nothing."""
    before = work_counts()
    create_instance(business_key="M-3")
    savepoint = session.begin_nested()
    create_instance(business_key="M-4")
    savepoint.rollback()
    savepoint = session.begin_nested()
    create_instance(business_key="M-5")
    savepoint.commit()
    session.commit()
    assert work_counts() == (before[0] + 2, before[1] + 2, before[2])
