"""Legal fidelity (issue 16 item 2): a late extension keeps the miss; a formal copy is never silent; a task arriving
from another agency is told to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DATA
from tests.helpers import Case, allow_late_extension, end_of, sh
from tests.test_case_transfer_paths import ACCEPT, FILE, TRANSFER, to_police
from tests.test_copies import _approved, _procuratorate
from workflows.clock import set_clock
from workflows.deployment.deploy import DiagramInvalidError, deploy, validate_diagram
from workflows.errors import InvalidDataError
from workflows.models import Agency, Notice
from workflows.statistics.periods import named_period
from workflows.statistics.report import statistics
from workflows.work.dashboard import overview
from workflows.work.deadline_extensions import extend_deadline, may_extend
from workflows.work.instances import instance_events
from workflows.work.participation import add_participant
from workflows.work.queues import list_work_items
from workflows.work.timer_worker import fire_due_timers


def _missed(session, shipped, late: bool) -> Case:  # noqa: ANN001
    """The 嘉定 police decision, due 24:00 Mon Mar 9, missed and escalated to the procuratorate on Tue 09:00."""
    if late:
        allow_late_extension(session)
    case = Case(session, shipped, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    set_clock(lambda: sh(3, 10, 9))
    fire_due_timers(session)
    session.commit()
    return case


def _notices(session, case: Case, kind: str) -> list[Notice]:  # noqa: ANN001
    return list(session.scalars(select(Notice).where(Notice.instance_id == case.instance.id, Notice.kind == kind)
                                .order_by(Notice.id)))


def test_an_extension_after_the_due_time_is_refused_by_default(session, shipped) -> None:  # noqa: ANN001
    case = _missed(session, shipped, late=False)
    leader, item = case.user("jd_police_leader"), case.item()
    assert not may_extend(leader, item, None)
    with pytest.raises(InvalidDataError, match="no extension after the due time"):
        extend_deadline(session, leader, item, "案情重大复杂")
    session.rollback()
    assert (item.due_at, item.extension_count, item.missed_at) == (end_of(3, 9), 0, end_of(3, 9))


def test_a_late_extension_keeps_the_miss_the_supervision_and_the_count(session, shipped) -> None:  # noqa: ANN001
    case = _missed(session, shipped, late=True)
    leader, procurator, item = case.user("jd_police_leader"), case.user("jd_procurator"), case.item()
    set_clock(lambda: sh(3, 10, 11))
    extension = extend_deadline(session, leader, item, "案情重大复杂", "陈刚")
    session.commit()
    assert item.due_at == end_of(4, 7) and item.overdue_at is None  # the new due time is watched afresh
    assert item.missed_at == end_of(3, 9)  # ...the miss stays, with when
    (event,) = [e for e in instance_events(session, case.instance) if e.type == "work_item.extended"]
    assert event.payload["late"] is True and event.payload["late_by_seconds"] == 11 * 3600  # and by how much
    assert extension.created_at - extension.previous_due_at == timedelta(hours=11)
    (notice,) = _notices(session, case, "deadline_extended")
    assert notice.title_message == {"code": "notice_deadline_extended_late",
                                    "params": {"task": item.title, "case": case.instance.title}}
    # The supervising agency keeps it in its overdue view; the dashboard counts it as missed, extended late.
    assert [i.id for i in list_work_items(session, procurator, "overdue")] == [item.id]
    assert list_work_items(session, leader, "overdue") == []  # not overdue against the extended time
    board = overview(session, case.user("jd_supervisor"))
    assert (board.buckets["overdue"], board.extended_late) == (0, 1)
    assert [(r.key, r.extended_late) for r in board.by_agency if r.extended_late] == [("jd_police", 1)]
    # Completed well within the extension, the item still counts late: it missed its deadline.
    case.step("task_decide", "jd_police_leader", FILE, agency="jd_police", role="leader", due=end_of(4, 7),
              at=sh(3, 12, 10), created=sh(3, 4, 9))
    figures = statistics(session, case.user("jd_supervisor"), named_period("2026-03"), process="case_transfer")
    (decide,) = [t for t in figures.tasks if t.task == "task_decide"]
    assert (decide.work.completed, decide.work.on_time, decide.work.late) == (1, 0, 1)
    assert figures.trend[0].late >= 1


def test_an_extension_before_the_due_time_is_on_time(session, shipped) -> None:  # noqa: ANN001
    case = Case(session, shipped, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    set_clock(lambda: sh(3, 9, 23, 59))
    item = case.item()
    extend_deadline(session, case.user("jd_police_leader"), item, "案情重大复杂")
    session.commit()
    assert item.missed_at is None and item.due_at == end_of(4, 7)


@pytest.mark.parametrize(("properties", "message"), [
    ('<spiffworkflow:property name="lateExtension" value="yes" />', "lateExtension 'yes' is not true or false"),
    ('<spiffworkflow:property name="lateExtension" value="true" />', "lateExtension needs an extension period"),
])
def test_deployment_checks_late_extension(properties: str, message: str) -> None:
    xml = (DATA / "recovery/copy_then_script.bpmn").read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="copyTo" value="lane_procuratorate" />', properties)
    with pytest.raises(DiagramInvalidError) as raised:
        validate_diagram(xml.encode(), {"report.json": (DATA / "recovery/report.json").read_bytes()},
                         {"market_supervision", "procuratorate"})
    assert ("task_report", message) in [(e["element"], e["message"]) for e in raised.value.details]


def test_a_copy_to_an_agency_already_taking_part_is_still_noticed_and_audited(session, shipped) -> None:  # noqa: ANN001
    case = _approved(session, shipped)
    add_participant(session, case.instance, _procuratorate(session), "notice")  # told of the case before
    session.commit()
    case.step("task_transfer", "jd_msa_liaison", TRANSFER, due=sh(3, 4, 9), at=sh(3, 3, 15))
    (notice,) = _notices(session, case, "copy_received")
    assert notice.agency_id == _procuratorate(session).id
    (copied,) = [e for e in instance_events(session, case.instance) if e.type == "instance.copied"]
    assert copied.payload["already_participant"] is True
    assert case.participants()["jd_procuratorate"] == "notice"  # its participation is what it was


def test_the_agency_a_task_arrives_at_is_told(session, shipped) -> None:  # noqa: ANN001
    case = _approved(session, shipped)
    # The bureau's own next steps: no arrival notice (its users see them in their queue).
    assert _notices(session, case, "task_arrived") == []
    case.step("task_transfer", "jd_msa_liaison", TRANSFER, due=sh(3, 4, 9), at=sh(3, 3, 15))
    (arrived,) = _notices(session, case, "task_arrived")
    police = session.scalars(select(Agency).where(Agency.code == "jd_police")).one()
    item = case.item()
    assert (arrived.agency_id, arrived.role, arrived.work_item_id, arrived.instance_id) == (
        police.id, item.required_role, item.id, case.instance.id)
    assert arrived.title_message == {"code": "notice_task_arrived",
                                     "params": {"task": item.title, "case": case.instance.title}}
    # The police's own acceptance creates their decision: still one arrival notice in the case.
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    assert len(_notices(session, case, "task_arrived")) == 1


def test_a_deployed_variant_allowing_late_extensions_says_so(session, shipped) -> None:  # noqa: ANN001
    allow_late_extension(session)
    from workflows.deployment.catalog import latest_definitions
    from workflows.deployment.definitions import compiled

    (definition,) = [d for d in latest_definitions(session) if d.key == "case_transfer"]
    rule = compiled(session, definition).info.deadline_of("task_decide")
    assert rule.extension.late is True
    assert deploy  # the helper deploys through the service
