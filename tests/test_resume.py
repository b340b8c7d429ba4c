"""An admin resumes an instance stopped in error once the cause is fixed (engine level and API)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import login, setup_customs, sh, take, upload
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.errors import ConflictError, PermissionDeniedError
from workflows.models import Agency, InstanceParticipant, Notice, User
from workflows.work.instances import instance_events, instance_work_items, start_instance
from workflows.work.recovery import resume_instance
from workflows.work.work_items import claim, complete

DATA = Path(__file__).parent / "data"
SHARE_FORMS = {"share_start.json": (DATA / "recovery/share_start.json").read_bytes()}


@pytest.fixture
def share(session, demo):  # noqa: ANN001, ANN201
    """The test diagram started with parts = 0: its script fails and the instance stops in error."""
    set_clock(lambda: sh(3, 2, 9))
    deploy(session, (DATA / "recovery/share.bpmn").read_bytes(), SHARE_FORMS, None)
    starter = session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
    instance = start_instance(session, starter, "recovery_share",
                              data={"total": 90, "parts": 0, "target_agency": "wz_msa"})
    session.commit()
    return instance


def _user(session, name):  # noqa: ANN001, ANN202
    return session.scalars(select(User).where(User.username == name)).one()


def test_a_failed_script_runs_again_with_corrected_data(session, share):  # noqa: ANN001
    assert share.status == "error"
    assert "script_share" in share.error_reason and "ZeroDivisionError" in share.error_reason
    resumed = resume_instance(session, _user(session, "admin"), share.id, {"parts": 3, "target_agency": "ks_msa"})
    session.commit()
    assert resumed.status == "running" and resumed.error_reason is None
    (item,) = instance_work_items(session, resumed, active_only=True)
    assert (item.task_name, item.candidate_agency.code) == ("task_handle", "ks_msa")
    assert resumed.state["xietong_data"]["share"] == 30
    resumed_events = [e for e in instance_events(session, resumed) if e.type == "instance.resumed"]
    assert [e.payload["retried_tasks"] for e in resumed_events] == [["script_share"]]
    assert resumed_events[0].payload["corrections"] == {"parts": 3, "target_agency": "ks_msa"}
    assert "ZeroDivisionError" in resumed_events[0].payload["previous_error"]


def test_a_cause_still_there_stops_it_again_with_the_new_reason(session, share):  # noqa: ANN001
    # The script now passes, but the lane still names an agency that does not exist.
    resumed = resume_instance(session, _user(session, "admin"), share.id, {"parts": 2})
    session.commit()
    assert resumed.status == "error"
    assert "names unknown or inactive agency 'wz_msa'" in resumed.error_reason
    assert instance_work_items(session, resumed, active_only=True) == []
    # The directory is fixed instead of the data: the same instance resumes without corrections.
    session.add(Agency(code="wz_msa", name="吴中区市场监督管理局", type=session.scalars(select(Agency).where(
        Agency.code == "ks_msa")).one().type, jurisdiction="吴中区", level="district"))
    session.commit()
    resumed = resume_instance(session, _user(session, "admin"), share.id)
    session.commit()
    assert resumed.status == "running"
    (item,) = instance_work_items(session, resumed, active_only=True)
    assert item.candidate_agency.code == "wz_msa"
    types = [e.type for e in instance_events(session, resumed)]
    assert types.count("instance.resumed") == 2 and types.count("instance.error") == 2


def test_only_an_admin_resumes_and_only_an_instance_in_error(session, share):  # noqa: ANN001
    for name in ("jd_msa_leader", "jd_supervisor"):
        with pytest.raises(PermissionDeniedError):
            resume_instance(session, _user(session, name), share.id, {"parts": 1})
    session.rollback()
    admin = _user(session, "admin")
    resume_instance(session, admin, share.id, {"parts": 1, "target_agency": "ks_msa"})
    session.commit()
    with pytest.raises(ConflictError, match="running, not in error"):
        resume_instance(session, admin, share.id)


def test_api_resume_after_the_directory_is_fixed(client, auth):  # noqa: ANN001
    admin = auth.headers("admin")
    setup_customs(client, admin)
    upload(client, admin, DATA / "inspection")
    sh_officer = login(client, "sh_officer")
    started = client.post("/api/v1/process-instances", json={"process_key": "joint_inspection"}, headers=sh_officer)
    path = f"/api/v1/process-instances/{started.get_json()['id']}"
    item = take(client, sh_officer, "task_request")
    data = {"target_office": "customs_nowhere", "urgent": False, "description": "x"}
    client.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data}, headers=sh_officer)
    assert client.get(path, headers=sh_officer).get_json()["status"] == "error"

    assert client.post(f"{path}/resume", json={}, headers=sh_officer).status_code == 403
    assert client.post(f"{path}/resume", json={}).status_code == 401
    assert client.post("/api/v1/process-instances/999999/resume", json={}, headers=admin).status_code == 404
    malformed = client.post(f"{path}/resume", data="{", headers={**admin, "Content-Type": "application/json"})
    assert malformed.status_code in (400, 422)
    # Still no such office: the answer shows the instance in error again.
    again = client.post(f"{path}/resume", json={}, headers=admin)
    assert again.status_code == 200 and again.get_json()["status"] == "error"
    # The admin corrects the office in the case data: the inspection goes to Kunshan customs.
    fixed = client.post(f"{path}/resume", json={"data": {"target_office": "customs_ks"}}, headers=admin)
    assert fixed.status_code == 200, fixed.get_json()
    body = fixed.get_json()
    assert body["status"] == "running"
    assert [(w["task_name"], w["candidate_agency"]["code"]) for w in body["work_items"]] == \
        [("task_routine", "customs_ks")]
    assert client.post(f"{path}/resume", json={}, headers=admin).status_code == 409


FORK_FORMS = {"fork_start.json": (DATA / "recovery/fork_start.json").read_bytes()}


def _participants(session, instance) -> set[str]:  # noqa: ANN001
    return set(session.scalars(select(Agency.code).join(InstanceParticipant, InstanceParticipant.agency_id == Agency.id)
                               .where(InstanceParticipant.instance_id == instance.id)))


def test_a_step_whose_second_lane_fails_leaves_no_work_half_done(session, demo):  # noqa: ANN001
    # The fork readies two tasks: the initiator's lane resolves, the target's names no agency.
    # Nothing of the step may be written then: no item for the first task either (a liaison could
    # claim it on a stopped case), no participation, no creation event.
    set_clock(lambda: sh(3, 2, 9))
    deploy(session, (DATA / "recovery/fork.bpmn").read_bytes(), FORK_FORMS, None)
    instance = start_instance(session, _user(session, "jd_msa_liaison"), "recovery_fork",
                              data={"target_agency": "wz_msa"})
    session.commit()
    assert instance.status == "error" and "wz_msa" in instance.error_reason
    assert instance_work_items(session, instance) == []
    assert _participants(session, instance) == {"jd_msa"}
    assert "work_item.created" not in [e.type for e in instance_events(session, instance)]

    resumed = resume_instance(session, _user(session, "admin"), instance.id, {"target_agency": "ks_msa"})
    session.commit()
    assert resumed.status == "running"
    items = instance_work_items(session, resumed, active_only=True)
    assert sorted((i.task_name, i.candidate_agency.code) for i in items) == \
        [("task_local", "jd_msa"), ("task_target", "ks_msa")]
    assert _participants(session, resumed) == {"jd_msa", "ks_msa"}
    created = [e for e in instance_events(session, resumed) if e.type == "work_item.created"]
    assert sorted(e.work_item_id for e in created) == sorted(i.id for i in items)


def test_a_task_whose_notice_is_followed_by_a_failing_script_still_notifies_once(session, demo):  # noqa: ANN001
    # The task completes and the script after it fails: the completion is kept in the stopped
    # state, so its notice goes out with the stop (a resume never completes the task again).
    set_clock(lambda: sh(3, 2, 9))
    deploy(session, (DATA / "recovery/notice_then_script.bpmn").read_bytes(),
           {"report.json": (DATA / "recovery/report.json").read_bytes()}, None)
    liaison = _user(session, "jd_msa_liaison")
    instance = start_instance(session, liaison, "recovery_notice_script")
    session.commit()
    (item,) = instance_work_items(session, instance, active_only=True)
    claim(session, liaison, item)
    complete(session, liaison, item, {"total": 90, "parts": 0})
    session.commit()
    assert instance.status == "error" and "ZeroDivisionError" in instance.error_reason
    procuratorate = session.scalars(select(Agency).where(Agency.code == "jd_procuratorate")).one()

    def notices() -> list[tuple[int, str, str]]:
        return [(n.agency_id, n.kind, n.title) for n in session.scalars(
            select(Notice).where(Notice.instance_id == instance.id).order_by(Notice.id))]

    assert notices() == [(procuratorate.id, "report_made", "收到报告90")]
    assert session.get(InstanceParticipant, (instance.id, procuratorate.id)).reason == "notice"

    resume_instance(session, _user(session, "admin"), instance.id, {"parts": 3})
    session.commit()
    assert instance.status == "running"
    # The resume (an admin's, of no agency of the case) tells the bureau its follow-up task has arrived.
    assert notices() == [(procuratorate.id, "report_made", "收到报告90"),
                         (liaison.agency_id, "task_arrived", f"New task: 跟进 ({instance.title})")]
    assert [i.task_name for i in instance_work_items(session, instance, active_only=True)] == ["task_follow_up"]
