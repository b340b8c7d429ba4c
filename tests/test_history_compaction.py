"""Compaction keeps what users see: the same marks and data as the full engine state, old states, the loop guard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers import sh
from tests.test_history import (
    SESSION_FORMS,
    act,
    at,
    deploy_test_diagram,
    hold_session,
    hold_sessions,
    open_items,
    state_size,
    user,
)
from workflows.engine.compaction import COMPLETED_ELEMENTS, settings
from workflows.engine.serialization import STATE_FORMAT
from workflows.models import ProcessInstance
from workflows.work.diagram_states import diagram_states
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.recovery import resume_instance

C, A = "completed", "active"
START = sh(1, 5, 9)


def new_sessions(session, key: str) -> ProcessInstance:  # noqa: ANN001
    """Another instance of the deployed session loop."""
    at(START)
    instance = start_instance(session, user(session, "jd_mediator"), "history_sessions", business_key=key)
    session.commit()
    return instance


def settle(session, instance: ProcessInstance, n: int) -> None:  # noqa: ANN001
    """The n-th session settles and the court's clerk confirms the agreement."""
    hold_session(session, instance, n, START + timedelta(minutes=n), outcome="settled")
    (confirm,) = instance_work_items(session, instance, active_only=True)
    assert (confirm.task_name, confirm.candidate_agency.code) == ("task_confirm", "jd_court")
    act(session, user(session, "jd_court_clerk"), confirm, {"ruling": "valid"})
    assert instance.status == "completed"


def test_compacted_and_full_states_give_the_same_marks_and_data(session, demo, monkeypatch) -> None:  # noqa: ANN001
    deploy_test_diagram(session, "sessions", SESSION_FORMS)
    full, compacted = new_sessions(session, "JD-调-F"), new_sessions(session, "JD-调-C")
    for instance, compacting in ((full, False), (compacted, True)):
        monkeypatch.setattr(settings, "enabled", compacting)
        hold_sessions(session, instance, range(1, 13), START)
    assert len(compacted.state["tasks"]) * 4 < len(full.state["tasks"])
    assert diagram_states(session, compacted) == diagram_states(session, full)
    assert compacted.state["xietong_data"] == full.state["xietong_data"]
    for instance, compacting in ((full, False), (compacted, True)):
        monkeypatch.setattr(settings, "enabled", compacting)
        settle(session, instance, 13)
    marks = diagram_states(session, compacted)
    assert marks == diagram_states(session, full)
    assert (marks["end_settled"], marks["task_confirm"], marks["script_init"]) == (C, C, C)
    assert "end_failed" not in marks and "end_lapsed" not in marks
    assert compacted.state["xietong_data"] == full.state["xietong_data"]


def test_a_state_stored_before_compaction_loads_and_is_compacted_at_its_next_save(session, demo,  # noqa: ANN001
                                                                                  monkeypatch) -> None:
    deploy_test_diagram(session, "sessions", SESSION_FORMS)
    monkeypatch.setattr(settings, "enabled", False)
    instance = new_sessions(session, "JD-调-O")
    hold_sessions(session, instance, range(1, 61), START)
    # As the product stored it before: the full tree, format 1, stopped by the old loop-depth check.
    assert COMPLETED_ELEMENTS not in instance.state
    full_tasks, marks = len(instance.state["tasks"]), diagram_states(session, instance)
    instance.state_format, instance.status = 1, "error"
    instance.error_reason = "loop ran too long at 'task_session' (depth 801); bound the loop in the diagram"
    session.commit()
    monkeypatch.setattr(settings, "enabled", True)
    resume_instance(session, user(session, "admin"), instance.id)
    session.commit()
    assert instance.status == "running" and instance.state_format == STATE_FORMAT
    assert len(instance.state["tasks"]) * 10 < full_tasks
    assert diagram_states(session, instance) == marks
    hold_sessions(session, instance, range(61, 63), START)
    assert instance.state["xietong_data"]["session_count"] == 62


def test_a_loop_that_never_waits_stops_with_the_reason(session, demo) -> None:  # noqa: ANN001
    deploy_test_diagram(session, "runaway", ())
    at(START)
    instance = start_instance(session, user(session, "jd_msa_liaison"), "history_runaway")
    session.commit()
    assert instance.status == "error"
    assert re.fullmatch(r"loop ran without waiting at '(gw_merge|script_round|gw_done)': \d+ levels in one step; "
                        r"a loop must wait for a user task, a timer or a message", instance.error_reason)


@pytest.mark.parametrize("compacting", [True, False])
def test_the_diagram_marks_a_loop_task_active_again(session, demo, monkeypatch, compacting) -> None:  # noqa: ANN001
    monkeypatch.setattr(settings, "enabled", compacting)
    deploy_test_diagram(session, "sessions", SESSION_FORMS)
    instance = new_sessions(session, "JD-调-M")
    assert diagram_states(session, instance) == {"start": C, "script_init": C, "gw_merge": C,
                                                 "task_session": A, "session_lapsed": A}
    hold_sessions(session, instance, range(1, 3), START)
    assert diagram_states(session, instance) == {"start": C, "script_init": C, "gw_merge": C, "task_session": A,
                                                 "session_lapsed": A, "script_count": C, "gw_outcome": C}


def test_a_loop_inside_one_branch_stays_small_while_the_other_branch_waits(session, demo) -> None:  # noqa: ANN001
    deploy_test_diagram(session, "branch_loop", ("inspect.json", "investigate.json"))
    at(START)
    instance = start_instance(session, user(session, "jd_msa_liaison"), "history_branch_loop")
    session.commit()
    bureau, police = user(session, "jd_msa_liaison"), user(session, "jd_police_liaison")
    sizes = {}
    for n in range(1, 401):
        items = open_items(session, instance)
        # The police branch waits untouched for 200 rounds, then its join waits for 200 more.
        assert set(items) == ({"task_inspect", "task_investigate"} if n <= 200 else {"task_inspect"}), f"round {n}"
        if n == 200:
            act(session, police, items["task_investigate"], {"investigation": "查实"})
        act(session, bureau, items["task_inspect"], {"inspection": "complete" if n == 400 else f"补充-{n}"})
        sizes[n] = state_size(instance)
    assert instance.status == "completed"
    assert sizes[199] < sizes[10] * 1.1 and sizes[399] < sizes[210] * 1.1, sizes
    assert diagram_states(session, instance) == {k: C for k in (
        "start", "gw_split", "gw_supplement_merge", "task_inspect", "gw_complete", "task_investigate", "gw_join",
        "end")}


def test_rounds_through_a_subprocess_and_a_multi_instance_task_stay_small(session, demo) -> None:  # noqa: ANN001
    deploy_test_diagram(session, "reports", ("report.json", "check.json"))
    at(START)
    bureau, police = user(session, "jd_msa_liaison"), user(session, "jd_police_liaison")
    instance = start_instance(session, bureau, "history_reports")
    session.commit()
    sizes = {}
    for n in range(1, 301):
        (report,) = instance_work_items(session, instance, active_only=True)
        assert report.task_name == "task_report", f"round {n}"
        act(session, bureau, report, {"summary": f"第{n}期报告", "again": n < 300})
        checks = instance_work_items(session, instance, active_only=True)
        assert [i.task_name for i in checks] == ["task_check", "task_check"], f"round {n}"
        for check in checks:  # two officers check each report
            act(session, police, check, {"checked": True})
        sizes[n] = state_size(instance)
        assert len(instance.state["subprocesses"]) <= 1, f"round {n}"
    assert instance.status == "completed"
    assert instance.state["xietong_data"]["reports"] == 300
    assert sizes[299] < sizes[10] * 1.1, sizes
    marks = diagram_states(session, instance)
    assert {k for k, v in marks.items() if v == C} >= {"sub_report", "task_report", "script_tally", "task_check",
                                                       "gw_again", "end"}
