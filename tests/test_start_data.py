"""Start data: held to the start event's form, refused where the process declares none, nothing stored on refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import end_of, sh
from workflows.clock import set_clock
from workflows.deployment.deploy import DiagramInvalidError, deploy
from workflows.errors import InvalidDataError
from workflows.messages import in_english
from workflows.models import AuditEvent, ProcessInstance, User
from workflows.work.instances import instance_work_items, start_instance

TIMERS = Path(__file__).parent / "data" / "timers"
WINDOW = (TIMERS / "window.bpmn").read_bytes()
WINDOW_FORMS = {"window_start.json": (TIMERS / "window_start.json").read_bytes()}


@pytest.fixture
def window(session, demo):  # noqa: ANN001, ANN201
    """The window diagram, whose start event declares window_start.json; returns a leader who may start it."""
    deploy(session, WINDOW, WINDOW_FORMS, None)
    session.commit()
    return session.get(User, demo["jd_msa_leader"])


def _nothing_stored(session) -> bool:  # noqa: ANN001
    session.rollback()
    return session.scalar(select(func.count()).select_from(ProcessInstance)) == 0 and \
        session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.type == "instance.started")) == 0


@pytest.mark.parametrize(("data", "errors"), [
    ({"case_no": "JD-调-1"}, {"effective_date"}),
    ({"effective_date": "20 January", "case_no": "JD-调-1"}, {"effective_date"}),
    ({"effective_date": "2026-01-20", "case_no": ""}, {"case_no"}),
    ({"effective_date": "2026-01-20", "case_no": "JD-调-1", "police_agency": "cn_police"}, {"police_agency"}),
])
def test_start_data_must_meet_the_start_form(session, window, data, errors):  # noqa: ANN001
    with pytest.raises(InvalidDataError) as refused:
        start_instance(session, window, "timer_window", data=data)
    assert set(refused.value.details) == errors
    assert _nothing_stored(session)


def test_valid_start_data_starts_the_case_and_counts_its_period(session, window):  # noqa: ANN001
    set_clock(lambda: sh(1, 21, 10))
    instance = start_instance(session, window, "timer_window", data={"effective_date": "2026-01-20",
                                                                     "case_no": "JD-调-1"})
    session.commit()
    (item,) = instance_work_items(session, instance, active_only=True)
    assert item.due_at == end_of(2, 24)  # 30 days from the start data's date, over the Spring Festival


def test_a_process_without_a_start_form_takes_no_start_data(session, shipped):  # noqa: ANN001
    liaison = session.get(User, shipped["jd_msa_liaison"])
    with pytest.raises(InvalidDataError) as refused:  # e.g. steering the police lane before registration
        start_instance(session, liaison, "case_transfer", data={"police_agency": "cn_police"})
    assert in_english(refused.value.details) == {"police_agency": ["not a start field of this process"]}
    assert _nothing_stored(session)
    assert start_instance(session, liaison, "case_transfer", data={}).status == "running"


def test_the_api_answers_422_by_field_and_publishes_the_start_schema(client, auth, demo, app):  # noqa: ANN001
    admin, leader = auth.headers("admin"), auth.headers("jd_msa_leader")
    files = {"diagram": (io.BytesIO(WINDOW), "window.bpmn"),
             "forms": [(io.BytesIO(WINDOW_FORMS["window_start.json"]), "window_start.json")]}
    assert client.post("/api/v1/process-definitions", data=files, headers=admin,
                       content_type="multipart/form-data").status_code == 201
    (definition,) = client.get("/api/v1/process-definitions/timer_window", headers=leader).get_json()
    assert definition["start_form"] == "window_start.json"
    assert definition["start_schema"]["required"] == ["effective_date", "case_no"]

    refused = client.post("/api/v1/process-instances", headers=leader,
                          json={"process_key": "timer_window", "data": {"effective_date": "not a date"}})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"effective_date", "case_no"}
    assert client.get("/api/v1/process-instances", headers=leader).get_json() == []

    started = client.post("/api/v1/process-instances", headers=leader, json={
        "process_key": "timer_window", "data": {"effective_date": "2026-01-20", "case_no": "JD-调-2"}})
    assert started.status_code == 201, started.get_json()


START_WITH = b'<bpmn:startEvent id="start">'
FORM_PROPERTY = (b'<bpmn:extensionElements><spiffworkflow:properties>'
                 b'<spiffworkflow:property name="form" value="%s" /></spiffworkflow:properties>'
                 b'</bpmn:extensionElements>')


def test_deployment_checks_the_start_form(session, demo):  # noqa: ANN001
    with pytest.raises(DiagramInvalidError) as missing:
        deploy(session, WINDOW, {}, None)
    assert ("start", "start form 'window_start.json' was not uploaded with the diagram") \
        in [(e["element"], e["message"]) for e in missing.value.details]
    with pytest.raises(DiagramInvalidError) as not_object:
        deploy(session, WINDOW, {"window_start.json": b'{"type": "array"}'}, None)
    assert any(e["element"] == "start" and "must describe an object" in e["message"]
               for e in not_object.value.details)
    assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
