"""Long cases: loops of any length keep running, stay small and keep their data (compacted engine state)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import sh
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import AuditEvent, Notice, ProcessInstance, User, WorkItem
from workflows.models.notice import COPY_RECEIVED
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.diagram_states import diagram_states
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.recovery import resume_instance
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete

HISTORY = Path(__file__).parent / "data" / "history"
C, A = "completed", "active"


def deploy_test_diagram(session, name: str, forms: tuple[str, ...]) -> None:  # noqa: ANN001
    """Deploy a diagram of tests/data/history with its forms."""
    deploy(session, (HISTORY / f"{name}.bpmn").read_bytes(),
           {form: (HISTORY / form).read_bytes() for form in forms}, None)
    session.commit()


def user(session, name: str) -> User:  # noqa: ANN001
    return session.scalars(select(User).where(User.username == name)).one()


def at(instant: datetime) -> None:
    """Set the clock."""
    set_clock(lambda: instant)


def act(session, actor: User, item: WorkItem, data: dict[str, Any]) -> None:  # noqa: ANN001
    """Claim and complete an item as two requests would, each in its own transaction."""
    claim(session, actor, item)
    session.commit()
    complete(session, actor, item, data)
    session.commit()


def open_items(session, instance: ProcessInstance) -> dict[str, WorkItem]:  # noqa: ANN001
    """The instance's open and claimed items by task."""
    return {item.task_name: item for item in instance_work_items(session, instance, active_only=True)}


def state_size(instance: ProcessInstance) -> int:
    """The stored engine state's size in bytes of JSON."""
    return len(json.dumps(instance.state, ensure_ascii=False).encode())


# --- mediation sessions repeated without bound ------------------------------------------------------

SESSION_FORMS = ("session.json", "confirm.json")


def session_data(n: int, **changes: Any) -> dict[str, Any]:
    """What the mediator records for the n-th session."""
    return {"outcome": "continue", "minutes": 60 + n % 30, "parties": 2, "note": f"第{n}次调解会", **changes}


def start_sessions(session, start: datetime) -> ProcessInstance:  # noqa: ANN001
    """A committee's mediation whose first session waits for the mediator."""
    deploy_test_diagram(session, "sessions", SESSION_FORMS)
    at(start)
    instance = start_instance(session, user(session, "jd_mediator"), "history_sessions", business_key="JD-调-L")
    session.commit()
    return instance


def hold_session(session, instance: ProcessInstance, n: int, when: datetime, **changes: Any) -> WorkItem:  # noqa: ANN001
    """Check that the n-th session is the one open item, then record it at `when`."""
    (item,) = instance_work_items(session, instance, active_only=True)
    assert (item.task_name, item.candidate_agency.code, item.required_role) == \
        ("task_session", "jd_mediation", "mediator"), f"session {n}"
    assert item.due_at is not None and item.due_at > when
    at(when)
    act(session, user(session, "jd_mediator"), item, session_data(n, **changes))
    return item


def hold_sessions(session, instance: ProcessInstance, rounds: range, start: datetime) -> None:  # noqa: ANN001
    """Hold the sessions numbered in `rounds`, one a minute from `start`, each followed by another."""
    for n in rounds:
        hold_session(session, instance, n, start + timedelta(minutes=n))
        assert instance.status == "running", f"session {n}: {instance.error_reason}"


def test_a_thousand_sessions_keep_the_case_running_small_and_its_data_right(session, demo) -> None:  # noqa: ANN001
    start = sh(1, 5, 9)
    instance = start_sessions(session, start)
    sizes = {}
    for n in range(1, 1001):
        hold_session(session, instance, n, start + timedelta(minutes=n))
        assert instance.status == "running", f"session {n}: {instance.error_reason}"
        if n in (1, 10, 100, 1000):
            sizes[n] = state_size(instance)
    assert sizes[1000] < sizes[10] * 1.05 and sizes[100] < sizes[10] * 1.05, sizes
    data = instance.state["xietong_data"]
    assert (data["session_count"], data["minutes"], data["note"], data["minutes_per_party"]) == \
        (1000, 70, "第1000次调解会", 35.0)
    # The history lives in the database: every session is a completed work item and audited.
    done = session.scalar(select(func.count(WorkItem.id)).where(
        WorkItem.instance_id == instance.id, WorkItem.task_name == "task_session", WorkItem.status == "completed"))
    audited = session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.instance_id == instance.id, AuditEvent.type == "work_item.completed"))
    assert (done, audited) == (1000, 1000)
    marks = diagram_states(session, instance)
    assert marks == {"start": C, "script_init": C, "gw_merge": C, "task_session": A, "session_lapsed": A,
                     "script_count": C, "gw_outcome": C}


def test_the_session_timer_fires_at_its_extended_time_after_many_rounds(session, demo) -> None:  # noqa: ANN001
    start = sh(1, 5, 9)
    instance = start_sessions(session, start)
    hold_sessions(session, instance, range(1, 301), start)  # past the 266 rounds that used to stop a case
    (item,) = instance_work_items(session, instance, active_only=True)
    due = item.due_at
    assert instance.engine_timer_due_at == due  # the boundary timer of the 301st session
    at(due - timedelta(days=1))
    extend_deadline(session, user(session, "jd_mediation_leader"), item, "当事人申请延期")
    session.commit()
    assert item.due_at > due and instance.engine_timer_due_at == item.due_at
    at(due + timedelta(hours=1))
    assert fire_due_timers(session) == 0 and instance.status == "running"
    at(item.due_at + timedelta(minutes=1))
    assert fire_due_timers(session) == 1
    assert (instance.status, item.status) == ("completed", "cancelled")
    marks = diagram_states(session, instance)
    assert {k for k, v in marks.items() if v == C} == {"start", "script_init", "gw_merge", "task_session",
                                                       "script_count", "gw_outcome", "session_lapsed",
                                                       "event_lapsed", "end_lapsed"}
    assert A not in marks.values()


def test_a_copy_a_stopped_session_could_not_send_goes_out_on_resume(session, demo, create_agency) -> None:  # noqa: ANN001
    start = sh(1, 5, 9)
    instance = start_sessions(session, start)
    hold_sessions(session, instance, range(1, 31), start)
    court = create_agency("qp_court", "青浦区人民法院", type_code="court", jurisdiction="青浦区", active=False)
    session.commit()
    # The mediator names a court the directory does not offer yet: the copy cannot go, the case stops.
    item = hold_session(session, instance, 31, start + timedelta(minutes=31), court_agency="qp_court")
    assert instance.status == "error" and "qp_court" in instance.error_reason
    assert instance.state["xietong_pending_copies"] == [item.engine_task_id]
    # A resume before the directory is fixed stops again: the state is stored again, the copy still waits.
    resume_instance(session, user(session, "admin"), instance.id)
    session.commit()
    assert instance.status == "error" and instance.state["xietong_pending_copies"] == [item.engine_task_id]
    court.active = True
    session.commit()
    resume_instance(session, user(session, "admin"), instance.id)
    session.commit()
    assert instance.status == "running", instance.error_reason
    copies = session.scalars(select(Notice).where(Notice.instance_id == instance.id, Notice.kind == COPY_RECEIVED,
                                                  Notice.agency_id == court.id)).all()
    assert [n.work_item_id for n in copies] == [item.id]
    assert "xietong_pending_copies" not in instance.state
    hold_sessions(session, instance, range(32, 35), start)
    assert instance.state["xietong_data"]["session_count"] == 34


def test_a_failing_script_inside_the_loop_resumes_with_the_correction(session, demo) -> None:  # noqa: ANN001
    start = sh(1, 5, 9)
    instance = start_sessions(session, start)
    hold_sessions(session, instance, range(1, 31), start)
    hold_session(session, instance, 31, start + timedelta(minutes=31), parties=0)
    assert instance.status == "error" and "script_count" in instance.error_reason
    assert "ZeroDivisionError" in instance.error_reason
    resume_instance(session, user(session, "admin"), instance.id, {"parties": 4})
    session.commit()
    assert instance.status == "running", instance.error_reason
    data = instance.state["xietong_data"]
    assert (data["session_count"], data["parties"], data["minutes_per_party"]) == (31, 4, 61 / 4)
    hold_sessions(session, instance, range(32, 34), start)
    assert instance.state["xietong_data"]["session_count"] == 33


# --- rounds of parallel branches -------------------------------------------------------------------

# Who does each branch, and the field its form writes.
BRANCHES = {"task_inspect": ("jd_msa_liaison", "inspection"),
            "task_investigate": ("jd_police_liaison", "investigation")}


@pytest.mark.parametrize("gateways", ["parallel", "inclusive"])
def test_each_round_of_parallel_branches_waits_for_both_whichever_finishes_first(session, demo,  # noqa: ANN001
                                                                                gateways) -> None:
    deploy_test_diagram(session, gateways, ("inspect.json", "investigate.json", "review.json"))
    at(sh(3, 2, 9))
    instance = start_instance(session, user(session, "jd_msa_liaison"), f"history_{gateways}")
    session.commit()
    for n in range(1, 41):
        # The order changes from round to round. On its full tree the engine fires a looped parallel join on
        # the first branch of a round finished in another order than before, and a looped inclusive join on
        # the first branch of every round after the first: it counts the join instances of earlier rounds.
        first, second = ("task_inspect", "task_investigate") if n % 3 else ("task_investigate", "task_inspect")
        for task in (first, second):
            items = open_items(session, instance)
            assert set(items) == ({first, second} if task == first else {second}), f"round {n}"
            username, field = BRANCHES[task]
            act(session, user(session, username), items[task], {field: f"{field}-{n}"})
        (review,) = instance_work_items(session, instance, active_only=True)
        assert review.task_name == "task_review", f"round {n}"
        data = instance.state["xietong_data"]
        assert (data["inspection"], data["investigation"]) == (f"inspection-{n}", f"investigation-{n}")
        act(session, user(session, "jd_msa_leader"), review, {"again": n < 40})
    assert instance.status == "completed"
    done = session.scalars(select(WorkItem.task_name).where(WorkItem.instance_id == instance.id,
                                                            WorkItem.status == "completed")).all()
    assert sorted(done) == sorted(["task_inspect", "task_investigate", "task_review"] * 40)
