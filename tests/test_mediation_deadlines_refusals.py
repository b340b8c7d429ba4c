"""mediation_confirmation: the court's deadlines (extension, escalation) and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import test_mediation_paths
from tests.helpers import Case, end_of, sh
from tests.test_mediation_paths import (  # the original module's fixtures and helpers
    APPLY,
    CONFIRM,
    DELEGATION,
    PROCESS,
    REGISTER,
    REJECT,
    SESSION,
    SETTLED,
    accept,
    clerk,
    court_accept,
    court_accept_due_jun_15,
    fire_at,
    lead,
    med,
    new_case,
    notices,
    register,
    settlement,
    to_court,
)
from workflows.clock import set_clock
from workflows.errors import ConflictError, InvalidDataError, PermissionDeniedError
from workflows.messages import message
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.work_items import claim, complete

ids = test_mediation_paths.ids  # the original module's fixture, under its name

# --- deadlines of the court: extension by the president, escalation to the court's leaders ------

def test_the_president_extends_the_review_by_ten_days_and_a_missed_ruling_is_escalated(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", court_accept("2026-06-15"), due=court_accept_due_jun_15(case), at=sh(6, 15, 9))
    item = case.item()
    assert (item.task_name, item.due_at, item.candidate_agency.code) == ("task_review", end_of(6, 30), "jd_court")
    set_clock(lambda: sh(6, 29, 10))
    with pytest.raises(PermissionDeniedError):  # a judge may not extend their own period
        extend_deadline(session, case.user("jd_judge"), item, "案情复杂")
    session.rollback()
    extend_deadline(session, case.user("jd_court_president"), item, "需要核实履行能力", "黄志远")
    session.commit()
    assert (item.due_at, item.original_due_at) == (end_of(7, 10), end_of(6, 30))  # Tue Jun 30 + 10 days = Fri Jul 10
    with pytest.raises(ConflictError):  # 法释〔2011〕5号第5条 allows one extension
        extend_deadline(session, case.user("jd_court_president"), item, "再延长")
    session.rollback()
    fire_at(session, end_of(7, 10) + timedelta(seconds=1))
    assert item.overdue_at is not None
    assert notices(session, "deadline_missed") == [("jd_court", "judge"), ("jd_court", "leader")]

NOT_APPLICABLE = message("form_not_applicable")  # a field of a branch the choices did not take


# --- refusals --------------------------------------------------------------------------------------

def refused(session, case: Case, username: str, data: dict) -> dict:  # noqa: ANN001
    """Submit invalid data for the waiting item; return the per-field errors, leaving the item open."""
    item = case.item()
    claim(session, case.user(username), item)
    with pytest.raises(InvalidDataError) as caught:
        complete(session, case.user(username), item, data)
    session.rollback()
    assert case.item().status == "open"
    return caught.value.details


def test_invalid_form_data_is_refused(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    assert "applicants" in refused(session, case, "jd_mediator", {**REGISTER, "source": "party_application",
                                                                   "applicants": []})
    # The court lane's field is written only by the delegation form: additionalProperties is false,
    # and the refusal names the unexpected field.
    assert "delegating_court" in refused(session, case, "jd_mediator", {**REGISTER, "source": "court_delegation",
                                                                "delegating_court": "cn_court"})
    med(case, "task_register", {**REGISTER, "source": "court_delegation"}, at=sh(6, 1, 10))
    assert "parties_consent" in refused(session, case, "jd_mediator", {**DELEGATION, "parties_consent": False})
    med(case, "task_register_delegation", {**DELEGATION, "delegating_court": "jd_court"}, at=sh(6, 1, 10, 30))
    assert "mediation_start_date" in refused(session, case, "jd_mediation_leader", {"mediation_acceptance": "accept",
                                                                                     "assigned_mediator": "吴芳"})
    lead(case, accept("2026-06-01"), due=end_of(6, 4), at=sh(6, 1, 15))
    assert "session_outcome" in refused(session, case, "jd_mediator", {**SESSION, "session_outcome": "maybe"})
    med(case, "task_session", SETTLED, due=end_of(7, 1), at=sh(6, 5, 10))
    unsealed = {**settlement("2026-06-08"), "committee_sealed": False}
    assert "committee_sealed" in refused(session, case, "jd_mediator", unsealed)
    assert "mediator_signed" in refused(session, case, "jd_mediator",
                                        {k: v for k, v in settlement("2026-06-08").items() if k != "mediator_signed"})
    med(case, "task_settlement", settlement("2026-06-08", "2026-09-28"), at=sh(6, 8, 10))
    no_power = {k: v for k, v in APPLY.items() if k != "doc_power_of_attorney"}
    assert "doc_power_of_attorney" in refused(session, case, "jd_mediator", no_power)
    assert "doc_property_proof" in refused(session, case, "jd_mediator", {**APPLY, "property_right_involved": True})
    assert "agreement_confirms_ip_right" in refused(
        session, case, "jd_mediator", {k: v for k, v in APPLY.items() if k != "agreement_confirms_ip_right"})
    # no writing counters
    assert "session_count" in refused(session, case, "jd_mediator", {**APPLY, "session_count": 0})
    med(case, "task_apply", APPLY, due=end_of(7, 8), at=sh(6, 10, 10))
    civil_no = {**court_accept("2026-06-11"), "confirmation_case_no": "（2026）沪0114民初1号"}  # not a 调确 number
    assert "confirmation_case_no" in refused(session, case, "jd_court_clerk", civil_no)
    clerk(case, "task_court_accept", court_accept("2026-06-11"), due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    assert "rejection_grounds" in refused(session, case, "jd_judge", {**REJECT, "rejection_grounds": []})
    # Grounds of a rejection do not apply to a confirmation: refused at the field (workflows.deployment.conditions).
    assert refused(session, case, "jd_judge", {**CONFIRM, "rejection_grounds": ["other"]}) == {
        "rejection_grounds": [NOT_APPLICABLE]}
    assert case.item().task_name == "task_review"


def test_only_a_mediation_committee_starts_the_process_and_roles_are_enforced(session, ids,  # noqa: ANN001
                                                                                create_instance):
    for username in ("jd_msa_liaison", "jd_court_clerk"):
        with pytest.raises(PermissionDeniedError):
            create_instance(PROCESS, username)
    case = new_case(session, ids, sh(6, 1, 9))
    med(case, "task_register", {**REGISTER, "source": "party_application"}, at=sh(6, 1, 10))
    acceptance = case.item()
    with pytest.raises(PermissionDeniedError):  # the mediator is no leader
        claim(session, case.user("jd_mediator"), acceptance)
    session.rollback()
    assert case.item().status == "open"


def test_an_extended_mediation_period_holds_for_the_later_sessions(session, ids):  # noqa: ANN001
    """特邀调解规定 第27条: the parties agree to more time; the committee's leader records it once."""
    case = new_case(session, ids, sh(1, 19, 9))
    register(case, "party_application", sh(1, 19, 10))
    lead(case, accept("2026-01-20"), due=end_of(1, 22), at=sh(1, 20, 9))
    first = case.item("task_session")
    assert first.due_at == end_of(2, 24)
    case.move_to(sh(2, 10, 10))
    with pytest.raises(PermissionDeniedError):  # the mediator may not extend the period alone
        extend_deadline(session, case.user("jd_mediator"), first, "当事人同意延长")
    extend_deadline(session, case.user("jd_mediation_leader"), first, "各方当事人书面同意延长调解期限",
                    approved_by="调委会主任 许德明")
    session.commit()
    extended = first.due_at
    assert extended == end_of(3, 26)  # 30 more days from the end of Tue Feb 24
    case.step("task_session", "jd_mediator", SESSION, at=sh(2, 12, 10), agency="jd_mediation", role="mediator",
              due=extended, created=sh(1, 20, 9))
    second = case.item("task_session")  # the next session: the same period from the same receipt, still extended
    assert (second.due_at, second.original_due_at, second.extension_count) == (extended, end_of(2, 24), 1)
    with pytest.raises(ConflictError, match="already extended 1 time"):
        extend_deadline(session, case.user("jd_mediation_leader"), second, "再次延长")
    session.rollback()
    med(case, "task_session", SETTLED, due=extended, at=sh(3, 20, 15))
