"""The timer worker: reminders, missed deadlines escalated to the supervising agency, BPMN timers, extensions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import Case, end_of, sh
from tests.test_case_transfer_paths import ACCEPT, to_police
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.errors import ConflictError, PermissionDeniedError
from workflows.models import Agency, AuditEvent, Notice, User, WorkItem
from workflows.work.deadline_extensions import extend_deadline, extensions_of
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.notices import list_notices, unread_count
from workflows.work.queues import list_work_items
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete, get_work_item

TIMERS = Path(__file__).parent / "data" / "timers"
WINDOW_FORMS = {"window_start.json": (TIMERS / "window_start.json").read_bytes()}


def fire_at(session, at, **options) -> int:  # noqa: ANN001, ANN003
    """Move the clock and run one worker pass."""
    set_clock(lambda: at)
    return fire_due_timers(session, **options)


def notices_of(session, kind: str, item: WorkItem | None = None) -> list[tuple[str, str | None]]:  # noqa: ANN001
    """(agency code, role) of every notice of a kind, optionally about one item."""
    stmt = select(Notice).where(Notice.kind == kind)
    if item is not None:
        stmt = stmt.where(Notice.work_item_id == item.id)
    return sorted((session.get(Agency, n.agency_id).code, n.role) for n in session.scalars(stmt))


def events(session, type_: str, item: WorkItem) -> int:  # noqa: ANN001
    return session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.type == type_, AuditEvent.work_item_id == item.id))


@pytest.fixture
def decision(session, shipped):  # noqa: ANN001, ANN201
    """A case waiting for the 嘉定 police decision: created Wed Mar 4 09:00, due 24:00 Mon Mar 9."""
    case = Case(session, shipped, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    item = case.item()
    assert (item.task_name, item.due_at) == ("task_decide", end_of(3, 9))
    return case, item


def test_overdue_police_decision_reaches_the_procuratorate_exactly_once(session, decision):  # noqa: ANN001
    case, item = decision
    # Half the period at most a day ahead: the leader role of 嘉定 police is reminded from Mon 00:00.
    assert item.remind_at == end_of(3, 8)
    assert case.instance.next_timer_due_at == item.remind_at
    assert fire_at(session, sh(3, 7, 12)) == 0
    assert fire_at(session, end_of(3, 8) + timedelta(minutes=1)) == 1
    assert notices_of(session, "deadline_approaching") == [("jd_police", "leader")]
    assert case.instance.next_timer_due_at == item.due_at
    assert fire_at(session, end_of(3, 9)) == 0  # 24:00 is the last instant of the period

    assert fire_at(session, end_of(3, 9) + timedelta(seconds=1)) == 1
    assert item.overdue_at == end_of(3, 9) + timedelta(seconds=1)
    assert notices_of(session, "deadline_missed") == [("jd_police", "leader"), ("jd_procuratorate", None)]
    assert case.instance.next_timer_due_at is None
    for later in (end_of(3, 10), end_of(3, 20)):  # nothing is due any more: no second notice
        assert fire_at(session, later) == 0
    assert notices_of(session, "deadline_missed") == [("jd_police", "leader"), ("jd_procuratorate", None)]
    assert events(session, "work_item.overdue", item) == 1
    assert events(session, "work_item.reminded", item) == 1

    procurator = session.get(User, case.ids["jd_procurator"])
    assert [i.id for i in list_work_items(session, procurator, "overdue")] == [item.id]
    assert get_work_item(session, procurator, item.id) is item  # the supervisor may open it
    assert [n.kind for n, read in list_notices(session, procurator)] == ["deadline_missed", "copy_received"]
    assert unread_count(session, procurator) == 2
    other = session.get(User, case.ids["cn_police_liaison"])
    assert list_work_items(session, other, "overdue") == []
    with pytest.raises(PermissionDeniedError):
        get_work_item(session, other, item.id)


def test_decision_made_in_time_is_never_escalated(session, decision):  # noqa: ANN001
    case, item = decision
    case.step("task_decide", "jd_police_leader", {"filing_decision": "file", "filing_notice_no": "嘉公立1号"},
              agency="jd_police", role="leader", due=end_of(3, 9), at=sh(3, 6, 10))
    fire_at(session, end_of(3, 30))
    assert notices_of(session, "deadline_missed", item) == []
    assert item.overdue_at is None


def test_police_leader_extends_the_decision_and_the_timer_moves(session, decision):  # noqa: ANN001
    case, item = decision
    leader = session.get(User, case.ids["jd_police_leader"])
    set_clock(lambda: sh(3, 9, 10))
    extension = extend_deadline(session, leader, item, "案情重大复杂，经县级公安机关负责人批准", "陈刚")
    session.commit()
    # 27 days on from 24:00 Mon Mar 9: Sun Apr 5 is 清明节 (Apr 4-6), so Tue Apr 7 24:00.
    assert (item.due_at, item.original_due_at, item.extension_count) == (end_of(4, 7), end_of(3, 9), 1)
    assert (extension.previous_due_at, extension.new_due_at, extension.approved_by) == (end_of(3, 9), end_of(4, 7),
                                                                                       "陈刚")
    assert case.instance.next_timer_due_at == end_of(4, 6)  # the reminder, a day ahead
    assert notices_of(session, "deadline_extended") == [("jd_procuratorate", None)]
    assert fire_at(session, end_of(3, 9) + timedelta(hours=1)) == 0  # the old due time passes quietly
    assert item.overdue_at is None
    fire_at(session, end_of(4, 7) + timedelta(minutes=5))
    assert notices_of(session, "deadline_missed") == [("jd_police", "leader"), ("jd_procuratorate", None)]
    assert [e.new_due_at for e in extensions_of(session, item)] == [end_of(4, 7)]


def test_only_a_leader_of_the_holding_agency_extends_and_only_as_far_as_allowed(session, decision):  # noqa: ANN001
    case, item = decision
    set_clock(lambda: sh(3, 5, 10))
    for name in ("jd_police_liaison", "jd_procur_leader"):
        with pytest.raises(PermissionDeniedError):
            extend_deadline(session, session.get(User, case.ids[name]), item, "需要更多时间")
    leader = session.get(User, case.ids["jd_police_leader"])
    with pytest.raises(ConflictError):  # done already
        extend_deadline(session, leader, session.scalars(select(WorkItem).where(
            WorkItem.task_name == "task_accept")).one(), "x")
    extend_deadline(session, leader, item, "需要更多时间", new_due=end_of(3, 20))
    session.commit()
    assert item.due_at == end_of(3, 20)
    with pytest.raises(ConflictError):  # maxExtensions defaults to 1
        extend_deadline(session, leader, item, "再延长")


# --- BPMN timers: the lapsed application window ---------------------------------------------------

@pytest.fixture
def window(session, demo):  # noqa: ANN001, ANN201
    """The test diagram with a 30-day window from the agreement's effective date."""
    deploy(session, (TIMERS / "window.bpmn").read_bytes(), WINDOW_FORMS, None)
    session.commit()
    leader = session.get(User, demo["jd_msa_leader"])
    set_clock(lambda: sh(1, 21, 10))
    # 30 days from Tue Jan 20 end on Thu Feb 19, inside the Spring Festival (Feb 15-23): Tue Feb 24 24:00.
    instance = start_instance(session, leader, "timer_window", data={"effective_date": "2026-01-20",
                                                                      "case_no": "JD-调-1"})
    session.commit()
    item = instance_work_items(session, instance, active_only=True)[0]
    assert item.due_at == end_of(2, 24)
    return instance, item, leader


def test_the_lapsed_window_closes_the_path(session, window):  # noqa: ANN001
    instance, item, _ = window
    assert fire_at(session, end_of(2, 21) + timedelta(hours=1)) == 1  # 3 days ahead: the reminder
    assert notices_of(session, "deadline_approaching") == [("jd_msa", "leader")]
    assert instance.status == "running"
    assert fire_at(session, end_of(2, 24) + timedelta(minutes=1)) == 1
    assert (instance.status, item.status) == ("completed", "cancelled")
    assert notices_of(session, "deadline_missed") == []  # the law closed the path: nothing is late
    notices = session.scalars(select(Notice).where(Notice.kind == "window_closed")).all()
    assert [(n.agency.code, n.title) for n in notices] == [("jd_court", "JD-调-1申请期限届满")]
    assert instance.next_timer_due_at is None


def test_extension_moves_the_window_timer(session, window):  # noqa: ANN001
    instance, item, leader = window
    set_clock(lambda: sh(2, 24, 9))
    extend_deadline(session, leader, item, "当事人因疫情隔离", "许德明")
    session.commit()
    assert item.due_at == end_of(3, 6)  # 10 days on from Tue Feb 24
    assert fire_at(session, end_of(2, 24) + timedelta(hours=2)) == 0
    assert instance.status == "running"
    fire_at(session, end_of(3, 6) + timedelta(seconds=1))
    assert (instance.status, item.status) == ("completed", "cancelled")


def test_applying_in_time_notifies_the_court(session, window):  # noqa: ANN001
    instance, item, leader = window
    set_clock(lambda: sh(2, 2, 9))
    claim(session, leader, item)
    complete(session, leader, item, {})
    session.commit()
    assert instance.status == "completed"
    notices = session.scalars(select(Notice).where(Notice.kind == "application_filed")).all()
    assert [(n.agency.code, n.title) for n in notices] == [("jd_court", "收到JD-调-1的申请")]
    assert fire_at(session, end_of(3, 30)) == 0


def test_a_task_without_an_extension_property_cannot_be_extended(session, demo, create_instance):  # noqa: ANN001
    deploy(session, (TIMERS / "fanout.bpmn").read_bytes(), {}, None)
    set_clock(lambda: sh(3, 2, 9))
    instance = create_instance("timer_fanout")
    session.commit()
    fire_at(session, sh(3, 2, 10, 1))
    item = instance_work_items(session, instance, active_only=True)[0]
    with pytest.raises(ConflictError, match="allows no extension"):
        extend_deadline(session, session.get(User, demo["jd_msa_leader"]), item, "需要更多时间")


# --- isolation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [25, 2])  # one batch, or a savepoint failing in the first of two
def test_a_broken_instance_does_not_stop_the_others(session, demo, monkeypatch, create_instance,  # noqa: ANN001
                                                    batch_size):
    deploy(session, (TIMERS / "fanout.bpmn").read_bytes(), {}, None)
    set_clock(lambda: sh(3, 2, 9))
    instances = [create_instance("timer_fanout") for _ in range(3)]
    session.commit()
    broken = instances[1].id
    import workflows.work.timer_worker as worker

    real = worker.fire_instance

    def failing(session, instance, at, items=None):  # noqa: ANN001, ANN202
        if instance.id == broken:
            raise RuntimeError("disk on fire")
        return real(session, instance, at, items)

    monkeypatch.setattr(worker, "fire_instance", failing)
    assert fire_at(session, sh(3, 2, 11), batch_size=batch_size) == 3
    assert [i.status for i in instances] == ["running", "error", "running"]
    assert "disk on fire" in instances[1].error_reason
    assert [len(instance_work_items(session, i, active_only=True)) for i in instances] == [1, 0, 1]
    assert fire_at(session, sh(3, 2, 12)) == 0  # the broken one is not retried forever
