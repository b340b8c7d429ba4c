"""Copies (抄送) belong to the step that completes the task: resolved before anything is written, never dropped."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import DATA
from tests.helpers import REGISTER, Case, end_of, sh
from tests.test_case_transfer_paths import APPROVE, TRANSFER, VERIFY
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import Agency, Notice, ProcessInstance, User
from workflows.models.notice import COPY_RECEIVED
from workflows.work.instances import instance_events, instance_work_items, start_instance
from workflows.work.recovery import resume_instance
from workflows.work.work_items import claim, complete


def _approved(session, shipped) -> Case:  # noqa: ANN001
    """A 嘉定 case approved for transfer: task_transfer waits, its copy goes to the procuratorate."""
    case = Case(session, shipped, sh(3, 2, 9))
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 2, 10))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=sh(3, 3, 10), at=sh(3, 2, 16))
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(3, 5),
              at=sh(3, 3, 9))
    return case


def _procuratorate(session) -> Agency:  # noqa: ANN001
    return session.scalars(select(Agency).where(Agency.code == "jd_procuratorate")).one()


def _copy_notices(session, case: Case | ProcessInstance) -> list[Notice]:  # noqa: ANN001
    instance = case.instance if isinstance(case, Case) else case
    return list(session.scalars(select(Notice).where(Notice.instance_id == instance.id,
                                                     Notice.kind == COPY_RECEIVED)))


def test_the_transfer_copies_the_procuratorate_in_the_same_step(session, shipped):  # noqa: ANN001
    case = _approved(session, shipped)
    assert "jd_procuratorate" not in case.participants()
    case.step("task_transfer", "jd_msa_liaison", TRANSFER, due=sh(3, 4, 9), at=sh(3, 3, 15))
    assert case.participants()["jd_procuratorate"] == "copy"
    (notice,) = _copy_notices(session, case)
    assert notice.agency_id == _procuratorate(session).id
    assert notice.title_message["code"] == "notice_copy_received"
    assert notice.title_message["params"]["task"] == "移送公安机关并抄送检察院"
    copied = [e for e in instance_events(session, case.instance) if e.type == "instance.copied"]
    assert [e.work_item_id for e in copied] == [instance_work_items(session, case.instance)[3].id]


def test_a_copy_lane_naming_no_agency_stops_the_step_and_the_copy_follows_on_resume(session, shipped):  # noqa: ANN001
    case = _approved(session, shipped)
    _procuratorate(session).active = False  # the directory lost the district procuratorate
    session.commit()
    case.move_to(sh(3, 3, 15))
    liaison = session.get(User, shipped["jd_msa_liaison"])
    (item,) = case.items()
    claim(session, liaison, item)
    complete(session, liaison, item, TRANSFER)
    session.commit()
    instance = case.instance
    assert instance.status == "error" and "procuratorate" in instance.error_reason
    # Nothing of the step beyond the completion itself: no police item, no copy, no notice.
    assert [(i.task_name, i.status) for i in instance_work_items(session, instance)][-1] == \
        ("task_transfer", "completed")
    assert case.items() == []
    assert "jd_police" not in case.participants() and "jd_procuratorate" not in case.participants()
    assert _copy_notices(session, case) == []

    _procuratorate(session).active = True  # the admin fixes the directory and resumes
    session.commit()
    resume_instance(session, session.get(User, shipped["admin"]), instance.id)
    session.commit()
    assert instance.status == "running"
    assert [(i.task_name, i.candidate_agency.code) for i in case.items()] == [("task_accept", "jd_police")]
    assert case.participants()["jd_procuratorate"] == "copy"
    (notice,) = _copy_notices(session, case)
    assert notice.work_item_id == item.id
    assert "xietong_pending_copies" not in instance.state


def test_a_copy_of_a_task_followed_by_a_failing_script_waits_for_the_resume(session, shipped):  # noqa: ANN001
    # The task completes, then the script after it fails: the step stops, and its copy is not lost.
    set_clock(lambda: sh(3, 2, 9))
    deploy(session, (DATA / "recovery/copy_then_script.bpmn").read_bytes(),
           {"report.json": (DATA / "recovery/report.json").read_bytes()}, None)
    liaison = session.get(User, shipped["jd_msa_liaison"])
    instance = start_instance(session, liaison, "recovery_copy_script")
    session.commit()
    (item,) = instance_work_items(session, instance, active_only=True)
    claim(session, liaison, item)
    complete(session, liaison, item, {"total": 90, "parts": 0})
    session.commit()
    assert instance.status == "error" and "ZeroDivisionError" in instance.error_reason
    assert _copy_notices(session, instance) == []

    resume_instance(session, session.get(User, shipped["admin"]), instance.id, {"parts": 3})
    session.commit()
    assert instance.status == "running"
    (notice,) = _copy_notices(session, instance)
    assert (notice.agency_id, notice.work_item_id) == (_procuratorate(session).id, item.id)
    assert [i.task_name for i in instance_work_items(session, instance, active_only=True)] == ["task_follow_up"]
