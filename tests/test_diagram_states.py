"""Diagram marks of an instance from its engine state (workflows.work.diagram_states), without HTTP; one page check."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from tests.helpers import REGISTER, Case, sh
from tests.test_case_transfer_paths import ADMIN, APPROVE, REFUSE, VERIFY
from tests.test_mediation_paths import REGISTER as DISPUTE
from tests.test_mediation_paths import SESSION, SETTLED, accept, settlement
from tests.test_web_pages import sign_in
from workflows.work.diagram_states import diagram_states

C, A, LATE = "completed", "active", "overdue"


def transfer_case(session, shipped, approval: dict = APPROVE) -> Case:  # noqa: ANN001
    """A case transfer registered, verified and decided by the leader on Mon Mar 2 2026."""
    case = Case(session, shipped, sh(3, 2, 9))
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 2, 10))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=sh(3, 3, 10), at=sh(3, 2, 16, 30))
    case.step("task_approve", "jd_msa_leader", approval, role="leader", due=sh(3, 6), at=sh(3, 3, 11))
    return case


def test_after_a_gateway_it_is_completed_with_the_script_and_start_event(session, shipped) -> None:  # noqa: ANN001
    case = transfer_case(session, shipped)
    assert diagram_states(session, case.instance) == {
        "start": C, "script_init": C, "task_register": C, "task_verify": C, "task_approve": C, "gw_approval": C,
        "task_transfer": A}  # the engine's predicted next elements are not marked


def test_the_path_not_taken_stays_unmarked_and_the_end_event_completes(session, shipped) -> None:  # noqa: ANN001
    case = transfer_case(session, shipped, REFUSE)
    assert diagram_states(session, case.instance) == {
        "start": C, "script_init": C, "task_register": C, "task_verify": C, "task_approve": C, "gw_approval": C,
        "gw_admin_merge": C, "task_admin_handling": A}
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=sh(3, 10, 9))
    states = diagram_states(session, case.instance)
    assert states["end_administrative"] == C and A not in states.values()
    assert "task_transfer" not in states


def test_an_active_task_past_its_due_time_is_overdue(session, shipped) -> None:  # noqa: ANN001
    case = transfer_case(session, shipped)
    due = case.item().due_at
    assert diagram_states(session, case.instance, at=due - timedelta(seconds=1))["task_transfer"] == A
    assert diagram_states(session, case.instance, at=due)["task_transfer"] == LATE


def test_a_waiting_boundary_timer_is_active_and_a_loop_marks_its_task_active(session, shipped) -> None:  # noqa: ANN001
    case = Case(session, shipped, sh(6, 1, 9), process="mediation_confirmation", starter="jd_mediator")
    med = {"agency": "jd_mediation", "role": "mediator"}
    case.step("task_register", "jd_mediator", {**DISPUTE, "source": "party_application"}, at=sh(6, 1, 10), **med)
    case.step("task_accept", "jd_mediation_leader", accept("2026-06-01"), agency="jd_mediation", role="leader",
              due=sh(6, 5), at=sh(6, 1, 15))
    case.step("task_session", "jd_mediator", SESSION, due=sh(7, 2), at=sh(6, 5, 10), **med)
    looped = diagram_states(session, case.instance)
    assert (looped["task_session"], looped["script_count_session"], looped["gw_session"]) == (A, C, C)
    case.step("task_session", "jd_mediator", SETTLED, due=sh(7, 2), at=sh(6, 6, 10), created=sh(6, 5, 10), **med)
    case.step("task_settlement", "jd_mediator", settlement("2026-06-08", "2026-09-28"), at=sh(6, 8, 10), **med)
    states = diagram_states(session, case.instance)
    assert (states["task_apply"], states["timer_window"]) == (A, A)  # the 30-day window's timer is running
    assert {k for k, v in states.items() if v == C} >= {"gw_source", "gw_source_merge", "gw_acceptance",
                                                        "gw_session_merge", "gw_session", "task_settlement"}


def test_without_a_readable_engine_state_the_work_items_still_mark_the_user_tasks(session, shipped) -> None:  # noqa: ANN001
    case = transfer_case(session, shipped)
    case.instance.state = {"xietong_data": {}}  # not committed: stands for a state the engine cannot read
    assert diagram_states(session, case.instance) == {
        "task_register": C, "task_verify": C, "task_approve": C, "task_transfer": A}
    session.rollback()


def test_the_instance_page_carries_the_engine_marks(app, client, session, shipped) -> None:  # noqa: ANN001
    instance_id = transfer_case(session, shipped).instance.id
    session.commit()
    sign_in(client, "jd_msa_liaison")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    states = json.loads(re.search(r'id="diagram-states">(.*?)</script>', page, re.S).group(1))
    assert states["gw_approval"] == C and states["script_init"] == C and states["task_transfer"] == A
