"""Every path of mediation_confirmation driven through the services, with exact due times (DOMAIN.md §2, §4)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import Case, end_of, sh
from workflows.clock import set_clock
from workflows.models import Agency, Notice, User
from workflows.work.instances import instance_data, instance_work_items
from workflows.work.timer_worker import fire_due_timers

PROCESS = "mediation_confirmation"

# --- one valid submission per form --------------------------------------------------------------
COMPANY = {"name": "上海某科技有限公司", "party_type": "legal_person", "id_number": "91310114MA1G000000",
           "contact": "021-59990000"}
PERSON = {"name": "张三", "party_type": "natural_person", "id_number": "310114198001010011", "contact": "13800000000"}
REGISTER = {"dispute_no": "嘉知调〔2026〕1号", "applicants": [COMPANY], "respondents": [PERSON], "ip_type": "trademark",
            "ip_registration_no": "第12345678号", "facts": "被申请人在网店销售带有申请人注册商标的运动鞋",
            "claims": "停止销售并赔偿损失", "claim_amount": 50000}
REFERRAL = {"referring_agency": "jd_msa", "referral_letter_no": "沪嘉市监移调〔2026〕3号",
            "referral_date": "2026-01-16"}
DELEGATION = {"delegating_court": "cn_court", "delegation_letter_no": "（2026）沪0105诉前调1号",
              "delegation_date": "2026-08-27", "parties_consent": True, "consent_note": "双方在诉前调解告知书上签字"}
SESSION = {"session_date": "2026-01-23", "session_form": "in_person", "attendees": ["张三", "申请人代理人"],
           "session_summary": "双方陈述意见", "session_outcome": "continue"}
SETTLED = {**SESSION, "session_outcome": "settled"}
FAILED = {**SESSION, "session_outcome": "failed"}
TERMINATE = {"termination_date": "2026-09-13", "termination_reason": "no_agreement",
             "termination_record": "双方对赔偿数额分歧较大", "other_routes_explained": True}
COURT_REGISTER = {"court_case_no": "（2026）沪0105民初123号", "registration_date": "2026-09-15",
                  "cause_of_action": "侵害商标权纠纷"}
APPLY = {"application_date": "2026-02-13", "joint_application": True, "doc_application": True, "doc_agreement": True,
         "doc_mediation_proof": True, "doc_party_identity": True, "party_contacts": [COMPANY, PERSON],
         "property_right_involved": False, "agent_appointed": True, "agent_name": "李律师",
         "doc_power_of_attorney": True, "agreement_confirms_ip_right": False}
COURT_ACCEPT = {"court_acceptance": "accept", "confirmation_case_no": "（2026）沪0114民特调确1号"}
ASK_SUPPLEMENT = {"court_acceptance": "request_supplement", "missing_materials": ["申请人营业执照副本"]}
NOT_COMPETENT = {"court_acceptance": "refuse", "refusal_ground": "not_competent",
                 "refusal_reason": "调解组织不在本院辖区"}
SUPPLEMENTED = {"supplement_result": "supplemented", "supplemented_materials": ["营业执照副本"],
                "supplement_date": "2026-06-12"}
WITHDRAWN = {"supplement_result": "withdrawn"}
CONFIRM = {"ruling": "confirmed", "ruling_no": "（2026）沪0114民特调确1号", "ruling_date": "2026-02-27"}
REJECT = {"ruling": "rejected", "ruling_no": "（2026）沪0114民特调确1号", "ruling_date": "2026-06-22",
          "rejection_grounds": ["unclear_content"], "rejection_reason": "履行方式约定不明"}
PERFORMED = {"performance_result": "performed", "performance_note": "赔偿款已付清", "performed_date": "2026-04-28"}
ENFORCEMENT_APPLIED = {"performance_result": "enforcement_applied", "performance_note": "逾期未付",
                       "enforcement_applicant": "上海某科技有限公司", "enforcement_application_date": "2026-10-09"}
NOT_PERFORMED = {"performance_result": "not_performed", "performance_note": "逾期未付，申请人暂不申请执行"}
REVOKED = {"performance_result": "ruling_revoked", "performance_note": "案外人提出异议，确认裁定被撤销",
           "revocation_ruling_no": "（2026）沪0114民特调确1号之一"}
ENFORCEMENT = {"enforcement_case_no": "（2026）沪0114执1号", "enforcement_registration_date": "2026-10-12",
               "enforcement_amount": 30000}
LITIGATION = {"rejection_followup": "litigation", "followup_note": "申请人已起诉"}
NO_FOLLOWUP = {"rejection_followup": "none"}


def accept(start: str) -> dict:
    """The committee leader's acceptance, the mediator having received the case on `start`."""
    return {"mediation_acceptance": "accept", "assigned_mediator": "吴芳", "mediation_start_date": start}


def settlement(effective: str, performance: str = "2026-04-30") -> dict:
    """A signed, sealed agreement taking effect on `effective`."""
    return {"agreement_no": "嘉知调协〔2026〕1号", "agreement_parties": [COMPANY, PERSON],
            "facts_and_dispute": "被申请人销售侵犯注册商标专用权的商品", "responsibilities": "被申请人承担侵权责任",
            "terms": [{"obligor": "张三", "obligation": "赔偿经济损失", "amount": 30000, "manner": "银行转账",
                       "deadline": performance}],
            "performance_deadline": performance, "all_parties_signed": True, "mediator_signed": True,
            "committee_sealed": True, "agreement_effective_date": effective}


def court_accept(day: str) -> dict:
    return {**COURT_ACCEPT, "acceptance_date": day}


def remediate(start: str) -> dict:
    return {"rejection_followup": "remediate", "mediation_start_date": start}


# --- fixtures and local step helpers --------------------------------------------------------------

@pytest.fixture
def ids(session, shipped, create_agency, create_user):  # noqa: ANN001, ANN201
    """Demo users plus a second court (长宁) that delegates mediation to the 嘉定 committee."""
    create_agency("cn_court", "长宁区人民法院", type_code="court", jurisdiction="长宁区")
    create_user("cn_court_clerk", "cn_court", ["clerk"])
    create_user("cn_judge", "cn_court", ["judge"])
    session.commit()
    return {u.username: u.id for u in session.scalars(select(User))}


def new_case(session, ids, start: datetime, key: str = "嘉知调〔2026〕1号") -> Case:  # noqa: ANN001
    return Case(session, ids, start, key, process=PROCESS, starter="jd_mediator")


def med(case: Case, task: str, data: dict, *, at: datetime, due: datetime | None = None):  # noqa: ANN201
    """A step of the 嘉定 committee's mediator."""
    return case.step(task, "jd_mediator", data, at=at, agency="jd_mediation", role="mediator", due=due)


def lead(case: Case, data: dict, *, at: datetime, due: datetime):  # noqa: ANN201
    """The committee leader's acceptance and assignment (3 working days)."""
    return case.step("task_accept", "jd_mediation_leader", data, at=at, agency="jd_mediation", role="leader", due=due)


def clerk(case: Case, task: str, data: dict, *, at: datetime, due: datetime, court: str = "jd_court"):  # noqa: ANN201
    return case.step(task, f"{court}_clerk", data, at=at, agency=court, role="clerk", due=due)


def judge(case: Case, data: dict, *, at: datetime, due: datetime, court: str = "jd_court"):  # noqa: ANN201
    username = "jd_judge" if court == "jd_court" else "cn_judge"
    return case.step("task_review", username, data, at=at, agency=court, role="judge", due=due)


def register(case: Case, source: str, at: datetime, extra_at: datetime | None = None) -> None:
    """Register the dispute, and its referral or delegation (half an hour later) where there is one."""
    med(case, "task_register", {**REGISTER, "source": source}, at=at)
    if source == "bureau_referral":
        med(case, "task_register_referral", REFERRAL, at=extra_at or at + timedelta(minutes=30))
    elif source == "court_delegation":
        med(case, "task_register_delegation", DELEGATION, at=extra_at or at + timedelta(minutes=30))


def notices(session, kind: str) -> list[tuple[str, str | None]]:  # noqa: ANN001
    """(agency code, role) of every notice of a kind."""
    rows = session.scalars(select(Notice).where(Notice.kind == kind))
    return sorted((session.get(Agency, n.agency_id).code, n.role) for n in rows)


def titles(session, kind: str) -> list[str]:  # noqa: ANN001
    return sorted(n.title for n in session.scalars(select(Notice).where(Notice.kind == kind)))


def fire_at(session, at: datetime) -> int:  # noqa: ANN001
    """Move the clock and run one timer-worker pass."""
    set_clock(lambda: at)
    return fire_due_timers(session)


def to_court(case: Case) -> None:
    """Party application of Mon Jun 1 2026, settled and applied for on Wed Jun 10; leaves the clerk's item waiting."""
    register(case, "party_application", sh(6, 1, 10))
    lead(case, accept("2026-06-01"), due=end_of(6, 4), at=sh(6, 1, 15))  # Tue, Wed, Thu
    med(case, "task_session", SETTLED, due=end_of(7, 1), at=sh(6, 5, 10))  # Jun 1 + 30 days = Wed Jul 1
    med(case, "task_settlement", settlement("2026-06-08", "2026-09-28"), at=sh(6, 8, 10))
    med(case, "task_apply", APPLY, due=end_of(7, 8), at=sh(6, 10, 10))  # Jun 8 + 30 days = Wed Jul 8


def court_accept_due_jun_15(case: Case) -> datetime:
    """Wed Jun 10 + 3 days = Sat Jun 13, a rest day: the period ends 24:00 Mon Jun 15."""
    return end_of(6, 15)


# --- the paths -------------------------------------------------------------------------------------

def test_party_application_across_the_spring_festival_is_confirmed_and_performed(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(1, 19, 9))  # Monday
    register(case, "party_application", sh(1, 19, 10))
    lead(case, accept("2026-01-20"), due=end_of(1, 22), at=sh(1, 20, 9))  # 3 working days: Tue, Wed, Thu
    # 30 days from Tue Jan 20 end on Thu Feb 19, inside the Spring Festival (Feb 15-23): 24:00 Tue Feb 24.
    med(case, "task_session", SESSION, due=end_of(2, 24), at=sh(1, 23, 10))
    med(case, "task_session", SETTLED, due=end_of(2, 24), at=sh(1, 27, 15))  # the same period, from the receipt
    med(case, "task_settlement", settlement("2026-01-29"), at=sh(1, 29, 10))
    # Jan 29 + 30 days = Sat Feb 28, a make-up working day: the window ends there, not on Monday.
    item = med(case, "task_apply", APPLY, due=end_of(2, 28), at=sh(2, 13, 10))
    assert item.remind_at == end_of(2, 23)  # remindBefore 5 days
    # Fri Feb 13 + 3 days = Mon Feb 16, a holiday; Sat Feb 14 lies inside the period and does not help: Tue Feb 24.
    clerk(case, "task_court_accept", court_accept("2026-02-14"), due=end_of(2, 24), at=sh(2, 14, 10))
    # 15 days from the acceptance on Sat Feb 14 = Sun Mar 1: 24:00 Mon Mar 2.
    judge(case, CONFIRM, due=end_of(3, 2), at=sh(2, 27, 10))
    assert notices(session, "ruling_made") == [("jd_mediation", None)]
    assert titles(session, "ruling_made") == ["司法确认申请（2026）沪0114民特调确1号已作出裁定"]
    # Performance deadline Thu Apr 30 + 3 days = Sun May 3, inside Labour Day (May 1-5): 24:00 Wed May 6.
    med(case, "task_supervise", PERFORMED, due=end_of(5, 6), at=sh(5, 6, 10))
    case.finish("end_performed")
    assert case.participants() == {"jd_mediation": "initiator", "jd_court": "work_item"}  # no bureau, no notice
    assert case.measures() == [("mediation_accepted", "jd_mediation"), ("settled", "jd_mediation"),
                               ("ruling_confirmed", "jd_court")]
    assert instance_data(case.instance)["session_count"] == 2


def test_court_delegated_mediation_fails_and_the_delegating_court_registers_the_case(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(8, 28, 9), key="（2026）沪0105诉前调1号")  # Friday
    register(case, "court_delegation", sh(8, 28, 10))
    assert case.participants()["cn_court"] == "copy"  # the delegating court follows the case from registration
    lead(case, accept("2026-09-01"), due=end_of(9, 2), at=sh(9, 1, 9))  # Mon Aug 31, Tue Sep 1, Wed Sep 2
    # 30 days from the mediator's receipt on Tue Sep 1 = Thu Oct 1, National Day (Oct 1-7): 24:00 Thu Oct 8.
    med(case, "task_session", FAILED, due=end_of(10, 8), at=sh(9, 11, 16))
    med(case, "task_terminate", TERMINATE, at=sh(9, 13, 10))
    # The file goes back to the delegating 长宁 court, not the 嘉定 court of the committee's district.
    # Sun Sep 13 + 7 days = Sun Sep 20, a make-up working day: 24:00 Sep 20.
    clerk(case, "task_court_register", COURT_REGISTER, court="cn_court", due=end_of(9, 20), at=sh(9, 15, 10))
    case.finish("end_court_filed")
    assert notices(session, "case_registered") == [("jd_mediation", None)]
    assert titles(session, "case_registered") == ["法院已登记立案：（2026）沪0105民初123号"]
    assert "jd_court" not in case.participants()


@pytest.mark.parametrize(("source", "end"), [("party_application", "end_not_mediated"),
                                             ("bureau_referral", "end_not_mediated"),
                                             ("court_delegation", "end_court_filed")])
def test_a_party_refusing_mediation_ends_it(session, ids, source, end):  # noqa: ANN001
    case = new_case(session, ids, sh(9, 24, 9))  # Thursday
    register(case, source, sh(9, 24, 10), extra_at=sh(9, 24, 10, 30))
    created = sh(9, 24, 10, 30) if source != "party_application" else sh(9, 24, 10)
    refused = {"mediation_acceptance": "party_refused", "refusing_party": "张三", "refusal_reason": "明确拒绝调解"}
    # 3 working days from Thu Sep 24: Sep 25-27 is the Mid-Autumn Festival, so Mon 28, Tue 29, Wed 30.
    case.step("task_accept", "jd_mediation_leader", refused, agency="jd_mediation", role="leader",
              due=end_of(9, 30), created=created, at=sh(9, 30, 10))
    if source == "court_delegation":  # Wed Sep 30 + 7 days = Wed Oct 7, National Day: 24:00 Thu Oct 8
        clerk(case, "task_court_register", COURT_REGISTER, court="cn_court", due=end_of(10, 8), at=sh(10, 9, 10))
    case.finish(end)
    told = {"party_application": [], "bureau_referral": [("jd_msa", None)], "court_delegation": []}[source]
    assert notices(session, "mediation_not_held") == told
    if source == "bureau_referral":
        assert titles(session, "mediation_not_held") == ["移交调解的纠纷嘉知调〔2026〕1号未进行调解"]
        assert case.participants()["jd_msa"] == "copy"  # the referral's receipt gave it sight first


def test_failed_mediation_of_a_bureau_referral_is_reported_to_the_bureau(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(3, 2, 9))
    register(case, "bureau_referral", sh(3, 2, 10))
    lead(case, accept("2026-03-03"), due=end_of(3, 5), at=sh(3, 3, 9))
    med(case, "task_session", FAILED, due=end_of(4, 2), at=sh(3, 10, 10))  # Mar 3 + 30 days = Thu Apr 2
    med(case, "task_terminate", TERMINATE, at=sh(3, 10, 16))
    case.finish("end_mediation_failed")
    assert notices(session, "mediation_failed") == [("jd_msa", None)]
    assert case.participants() == {"jd_mediation": "initiator", "jd_msa": "copy"}


def test_the_tenth_session_without_agreement_ends_the_mediation(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(3, 2, 9))
    register(case, "party_application", sh(3, 2, 10))
    lead(case, accept("2026-03-03"), due=end_of(3, 5), at=sh(3, 3, 9))
    for _ in range(10):  # "continue" every time; the tenth is the last the diagram allows
        med(case, "task_session", SESSION, due=end_of(4, 2), at=case.clock + timedelta(days=2))
    med(case, "task_terminate", {**TERMINATE, "termination_reason": "session_limit"},
        at=case.clock + timedelta(hours=2))
    case.finish("end_mediation_failed")
    assert instance_data(case.instance)["session_count"] == 10
    assert notices(session, "mediation_failed") == []  # a party application: no bureau to tell


@pytest.mark.parametrize(("source", "told"), [
    ("party_application", [("jd_mediation", None)]),
    ("bureau_referral", [("jd_mediation", None), ("jd_msa", None)]),
    ("court_delegation", [("cn_court", None), ("jd_mediation", None)]),
])
def test_the_lapsed_application_window_closes_the_path(session, ids, source, told):  # noqa: ANN001
    case = new_case(session, ids, sh(8, 31, 9))  # Monday
    register(case, source, sh(8, 31, 10), extra_at=sh(8, 31, 10, 30))
    case.step("task_accept", "jd_mediation_leader", accept("2026-09-01"), agency="jd_mediation", role="leader",
              due=end_of(9, 3), at=sh(9, 1, 9))  # Tue, Wed, Thu
    med(case, "task_session", SETTLED, due=end_of(10, 8), at=sh(9, 8, 10))  # Sep 1 + 30 = Oct 1 -> Thu Oct 8
    med(case, "task_settlement", settlement("2026-09-10", "2026-12-31"), at=sh(9, 10, 10))
    item = case.item()
    # Thu Sep 10 + 30 days = Sat Oct 10, a make-up working day after National Day: the window ends 24:00 Oct 10.
    assert (item.task_name, item.due_at, item.remind_at) == ("task_apply", end_of(10, 10), end_of(10, 5))
    assert fire_at(session, end_of(10, 5) + timedelta(minutes=1)) == 1
    assert notices(session, "deadline_approaching") == [("jd_mediation", "mediator")]
    assert fire_at(session, end_of(10, 10)) == 0  # 24:00 is the last instant of the window
    assert case.instance.status == "running"

    assert fire_at(session, end_of(10, 10) + timedelta(seconds=1)) == 1
    assert (case.instance.status, item.status) == ("completed", "cancelled")
    assert case.ended_at() == {"end_window_closed"}
    assert [i.task_name for i in instance_work_items(session, case.instance, active_only=True)] == []
    assert notices(session, "confirmation_window_closed") == told
    assert notices(session, "deadline_missed") == []  # the window closed by law: nobody is late


def test_an_agreement_confirming_an_ip_right_cannot_be_confirmed(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    register(case, "party_application", sh(6, 1, 10))
    lead(case, accept("2026-06-01"), due=end_of(6, 4), at=sh(6, 1, 15))
    med(case, "task_session", SETTLED, due=end_of(7, 1), at=sh(6, 5, 10))
    med(case, "task_settlement", settlement("2026-06-08", "2026-09-28"), at=sh(6, 8, 10))
    ownership = {**APPLY, "agreement_confirms_ip_right": True, "ip_right_note": "协议约定涉案商标归申请人所有"}
    med(case, "task_apply", ownership, due=end_of(7, 8), at=sh(6, 10, 10))
    # The clerk only records the refusal (民诉法解释第355条): there is no acceptance or review to choose.
    refusal = {"refusal_ruling_no": "（2026）沪0114民特调确1号", "refusal_date": "2026-06-11"}
    clerk(case, "task_refuse_ip_right", refusal, due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    case.finish("end_not_accepted")
    assert not {"task_court_accept", "task_review"} & {i.task_name for i in instance_work_items(session, case.instance)}
    assert notices(session, "ruling_made") == []
    assert notices(session, "application_not_accepted") == [("jd_mediation", None)]


def test_the_court_refuses_an_application_outside_its_jurisdiction(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", NOT_COMPETENT, due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    case.finish("end_not_accepted")


def test_supplemented_application_is_confirmed_then_enforced(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", ASK_SUPPLEMENT, due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    med(case, "task_supplement", SUPPLEMENTED, due=end_of(6, 18), at=sh(6, 12, 10))  # Thu Jun 11 + 7 days
    clerk(case, "task_court_accept", court_accept("2026-06-15"), due=end_of(6, 15), at=sh(6, 15, 9))  # Fri + 3 = Mon
    judge(case, CONFIRM, due=end_of(6, 30), at=sh(6, 22, 10))  # Mon Jun 15 + 15 days = Tue Jun 30
    # Performance deadline Mon Sep 28 + 3 days = Thu Oct 1, National Day: 24:00 Thu Oct 8.
    med(case, "task_supervise", ENFORCEMENT_APPLIED, due=end_of(10, 8), at=sh(10, 9, 10))
    clerk(case, "task_enforcement", ENFORCEMENT, due=end_of(10, 16), at=sh(10, 12, 10))  # Fri Oct 9 + 7 days
    case.finish("end_enforcement")
    assert instance_data(case.instance)["supplement_rounds"] == 1
    assert titles(session, "enforcement_filed") == ["强制执行已立案：（2026）沪0114执1号"]


def test_declining_to_supplement_counts_as_withdrawal(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", ASK_SUPPLEMENT, due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    med(case, "task_supplement", WITHDRAWN, due=end_of(6, 18), at=sh(6, 12, 10))
    case.finish("end_withdrawn")
    assert notices(session, "application_withdrawn") == [("jd_mediation", None)]


def test_a_fourth_request_to_supplement_counts_as_withdrawal(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    # (request, due of that acceptance item, due of the supplement item it opens: 7 days from the request)
    rounds = [(sh(6, 11, 10), court_accept_due_jun_15(case), end_of(6, 18)),
              # Fri Jun 12 + 7 days = Fri Jun 19, Dragon Boat Festival, then a weekend: 24:00 Mon Jun 22.
              (sh(6, 12, 10), end_of(6, 15), end_of(6, 22)),  # acceptance item of Thu 16:00: Sun -> Mon Jun 15
              (sh(6, 15, 10), end_of(6, 15), end_of(6, 22))]  # of Fri 16:00: Mon Jun 15
    for request, accept_due, supplement_due in rounds:
        clerk(case, "task_court_accept", ASK_SUPPLEMENT, due=accept_due, at=request)
        med(case, "task_supplement", SUPPLEMENTED, due=supplement_due, at=request + timedelta(hours=6))
    due = end_of(6, 18)  # the acceptance item of Mon Jun 15 16:00
    clerk(case, "task_court_accept", ASK_SUPPLEMENT, due=due, at=sh(6, 16, 10))
    case.finish("end_withdrawn")
    assert instance_data(case.instance)["supplement_rounds"] == 4


def test_a_lapsed_supplement_period_counts_as_withdrawal(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", ASK_SUPPLEMENT, due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    item = case.item()
    assert (item.task_name, item.due_at) == ("task_supplement", end_of(6, 18))
    assert fire_at(session, end_of(6, 18) + timedelta(seconds=1)) == 1
    assert (case.instance.status, item.status) == ("completed", "cancelled")
    assert case.ended_at() == {"end_withdrawn"}


def test_rejected_agreement_is_mediated_again_and_confirmed(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", court_accept("2026-06-11"), due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    judge(case, REJECT, due=end_of(6, 26), at=sh(6, 22, 10))  # Thu Jun 11 + 15 days = Fri Jun 26
    med(case, "task_after_rejection", remediate("2026-06-23"), at=sh(6, 23, 10))
    # Back to sessions, with a fresh period from the new start: Jun 23 + 30 days = Thu Jul 23.
    med(case, "task_session", SETTLED, due=end_of(7, 23), at=sh(6, 30, 10))
    med(case, "task_settlement", settlement("2026-07-01", "2026-09-28"), at=sh(7, 1, 10))
    med(case, "task_apply", APPLY, due=end_of(7, 31), at=sh(7, 2, 10))  # from the new agreement: Fri Jul 31
    second = {**court_accept("2026-07-03"), "confirmation_case_no": "（2026）沪0114民特调确2号"}
    clerk(case, "task_court_accept", second, due=end_of(7, 6), at=sh(7, 3, 10))  # Thu Jul 2 + 3 = Sun -> Mon Jul 6
    judge(case, CONFIRM, due=end_of(7, 20), at=sh(7, 10, 10))  # Fri Jul 3 + 15 days = Sat Jul 18 -> Mon Jul 20
    med(case, "task_supervise", NOT_PERFORMED, due=end_of(10, 8), at=sh(10, 9, 10))
    case.finish("end_not_performed")
    data = instance_data(case.instance)
    assert (data["remediation_rounds"], data["session_count"], data["ruling"]) == (1, 1, "confirmed")
    assert notices(session, "ruling_made") == [("jd_mediation", None), ("jd_mediation", None)]
