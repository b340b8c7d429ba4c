"""Every path of lead_transfer and assistance_request, driven through the services with exact due times.

Expected due times are counted by hand in the comments (DOMAIN.md §2): N working days count only working days
from the day after the trigger and end at 24:00 of the last one; N days end at 24:00 of the N-th day, rolled to
the next working day. The 2026 calendar used by hand is pinned in HOLIDAYS / MAKE_UP_DAYS and checked against
the chinese-calendar package in test_hand_calendar_matches_chinese_calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from lxml import etree

from tests.helpers import Case, end_of, sh
from workflows.engine.diagram import extension_properties, read_process
from workflows.errors import InvalidDataError
from workflows.messages import message
from workflows.work.instances import instance_data, instance_work_items
from workflows.work.work_items import claim, complete

BPMN = Path(__file__).resolve().parent.parent / "bpmn"

# The 2026 days off that fall on a weekday, and the weekend days that are make-up working days (调休).
HOLIDAYS = {date(2026, 1, 1), date(2026, 1, 2), *(date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)),
            date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5), date(2026, 6, 19),
            date(2026, 9, 25), *(date(2026, 10, d) for d in (1, 2, 5, 6, 7))}
MAKE_UP_DAYS = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
                date(2026, 10, 10)}

# --- one valid submission per form --------------------------------------------------------------
REGISTER = {
    "lead_no": "沪嘉市监线〔2026〕7号", "source": "report", "received_on": "2026-02-06",
    "subjects": [{"name": "昆山某鞋业有限公司", "subject_type": "legal_person"}], "ip_type": "trademark",
    "suspected_violation": "生产假冒注册商标的运动鞋",
    "facts": "举报人反映昆山某鞋业有限公司生产假冒运动鞋并在嘉定销售",
    "evidence": [{"name": "举报材料"}, {"name": "网络销售页面截图"}],
    "target_type": "market_supervision", "target_agency": "ks_msa",
    "jurisdiction_basis": "生产地在昆山市，违法行为发生地由昆山市市场监督管理局管辖",
    "reporter_real_name": True, "reporter_name": "张某", "reporter_contact": "13800000000",
}
MONITORING = {**REGISTER, "source": "monitoring", "reporter_real_name": False}
for key in ("reporter_name", "reporter_contact"):
    MONITORING.pop(key)
APPROVE = {"approval": "approve", "letter_no": "沪嘉市监移函〔2026〕7号"}
REFUSE = {"approval": "refuse", "refusal_reason": "证据不足，先行调查"}
DISPUTE = {"receipt": "dispute", "dispute_reason": "销售行为发生在嘉定区", "competent_view": "嘉定区市场监督管理局"}
NEGOTIATION_FAILED = {"negotiation": "failed", "negotiation_record": "双方意见不一致"}
REQUEST_DESIGNATION = {"request_no": "沪嘉市监请〔2026〕2号", "dispute_summary": "生产地与销售地管辖争议"}
VERIFIED_FILE = {"verification_findings": "现场检查发现假冒运动鞋1200双", "filing_decision": "file",
                 "approved_by": "曹静", "case_no": "昆市监立〔2026〕31号"}
VERIFIED_NOT_FILE = {"verification_findings": "未发现违法行为", "filing_decision": "not_file",
                     "approved_by": "曹静", "not_filed_reason": "违法事实不能成立"}
INVESTIGATED = {"investigation_outcome": "penalty", "decision_no": "昆市监罚〔2026〕58号",
                "decision_date": "2026-05-28", "fine_amount": 150000, "confiscated_gains": 32000,
                "investigation_summary": "没收侵权商品并处罚款"}
FEEDBACK = {"feedback_letter_no": "昆市监反馈〔2026〕4号", "feedback_date": "2026-06-02",
            "feedback_summary": "已立案查处，罚款15万元"}
TOLD = {"told_on": "2026-03-12", "told_by": "phone", "told_content": "已告知立案情况"}
ACK = {"acknowledged_on": "2026-06-04"}
DEPT_ACCEPT = {"department_receipt": "accept", "received_date": "2026-09-30", "receipt_no": "回执〔2026〕3号"}
DEPT_RESULT = {"department_result": "filed", "result_date": "2026-10-30", "document_no": "立〔2026〕9号",
               "result_summary": "已立案"}

@pytest.fixture
def ids(session, shipped, create_user):  # noqa: ANN001, ANN201
    """Demo user ids, plus a 嘉定 copyright liaison the demo lacks."""
    ids = {**shipped, "jd_copyright_liaison": create_user("jd_copyright_liaison", "jd_copyright").id}
    session.commit()
    return ids


def lead(session, ids, start, data=None):  # noqa: ANN001, ANN201
    """Register at start + 1 hour; leaves the origin leader's approval waiting."""
    case = Case(session, ids, start, "JD-LEAD-7", process="lead_transfer")
    case.step("task_register", "jd_msa_liaison", data or REGISTER, at=start + timedelta(hours=1))
    return case


def received_at_ks(case: Case, approve_due, approved_at, receive_due, received_at, received_date) -> None:  # noqa: ANN001
    """Approve, then 昆山 accepts the lead."""
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=approve_due, at=approved_at)
    case.step("task_receive", "ks_msa_liaison", {"receipt": "accept", "received_date": received_date},
              agency="ks_msa", due=receive_due, at=received_at)


def in_creation_order(case: Case) -> None:
    """finish() compares items in creation order; parallel branches may complete in another order."""
    order = [i.task_name for i in instance_work_items(case.session, case.instance)]
    assert sorted(order) == sorted(case.done)
    case.done = order


# --- the hand calendar -----------------------------------------------------------------------------

def test_hand_calendar_matches_chinese_calendar():
    day = date(2026, 1, 1)
    while day.year == 2026:
        expected = (day.weekday() < 5 and day not in HOLIDAYS) or day in MAKE_UP_DAYS
        assert chinese_calendar.is_workday(day) is expected, day
        day += timedelta(days=1)
    assert {d for d in MAKE_UP_DAYS if d.month in (2, 9, 10)} == {date(2026, 2, 14), date(2026, 2, 28),
                                                                   date(2026, 9, 20), date(2026, 10, 10)}


# --- lead_transfer: paths ------------------------------------------------------------------------------

def test_refused_over_spring_festival(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(2, 12, 8), process="lead_transfer")  # Thursday before the Spring Festival
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(2, 12, 9))
    # 3 working days from Thu Feb 12: Fri 13 (1), Sat 14 make-up (2), Feb 15-23 off, Tue 24 (3).
    case.step("task_approve", "jd_msa_leader", REFUSE, role="leader", due=end_of(2, 24), at=sh(2, 24, 10))
    case.finish("end_refused")
    assert case.participants() == {"jd_msa": "initiator"}


def test_filed_investigated_and_fed_back_over_spring_festival(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(2, 9, 9))  # Monday
    # approve: Feb 10, 11, 12 -> 24:00 Thu Feb 12.
    # receive (7 working days from Wed Feb 11): 12, 13, Sat 14, 24, 25, 26, 27 -> 24:00 Fri Feb 27.
    received_at_ks(case, end_of(2, 12), sh(2, 11, 9), end_of(2, 27), sh(2, 13, 10), "2026-02-12")
    # verify (15 working days from the receipt on Thu Feb 12): 13, 14, 24, 25, 26, 27, Sat 28, Mar 2-6 (12),
    # 9, 10, 11 -> 24:00 Wed Mar 11.
    case.step("task_verify", "ks_msa_liaison", {**VERIFIED_FILE, "filing_decision_date": "2026-03-10"},
              agency="ks_msa", due=end_of(3, 11), at=sh(3, 10, 15))
    assert {i.task_name for i in case.items()} == {"task_tell_reporter", "task_investigate"}
    # reporter: 5 working days from the decision on Tue Mar 10: 11, 12, 13, 16, 17 -> 24:00 Tue Mar 17.
    case.step("task_tell_reporter", "jd_msa_liaison", TOLD, due=end_of(3, 17), at=sh(3, 12, 10))
    # investigation: 90 days from the filing on Mar 10: Mar 31 is day 21, Apr 30 day 51, May 31 day 82,
    # Mon Jun 8 day 90.
    case.step("task_investigate", "ks_msa_liaison", INVESTIGATED, agency="ks_msa", due=end_of(6, 8),
              created=sh(3, 10, 15), at=sh(6, 1, 10))
    # feedback (5 working days from Mon Jun 1): 2, 3, 4, 5, 8.
    case.step("task_feedback", "ks_msa_liaison", FEEDBACK, agency="ks_msa", due=end_of(6, 8), at=sh(6, 3, 9))
    # acknowledge (5 working days from Wed Jun 3): 4, 5, 8, 9, 10.
    case.step("task_acknowledge", "jd_msa_liaison", ACK, due=end_of(6, 10), at=sh(6, 4, 10))
    in_creation_order(case)
    case.finish("end_closed_filed")
    assert case.participants() == {"jd_msa": "initiator", "ks_msa": "work_item"}
    data = instance_data(case.instance)
    assert (data["verification_start"], data["filing_decision"], data["case_no"]) == \
        ("2026-02-12", "file", "昆市监立〔2026〕31号")


def test_negotiated_to_target_then_not_filed_over_national_day(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(9, 21, 9), MONITORING)  # Monday; no reporter to tell
    # approve (from Mon Sep 21): 22, 23, 24.
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(9, 24), at=sh(9, 22, 10))
    # receive (from Tue Sep 22): 23, 24, [25 Mid-autumn, 26, 27], 28, 29, 30, [Oct 1-7], Oct 8, 9.
    case.step("task_receive", "ks_msa_liaison", {**DISPUTE, "received_date": "2026-09-22"}, agency="ks_msa",
              due=end_of(10, 9), at=sh(9, 29, 10))
    # negotiate (from Tue Sep 29): 30, Oct 8, 9, Sat Oct 10 make-up, 12, 13, 14.
    case.step("task_negotiate", "jd_msa_liaison", {"negotiation": "target_accepts", "agreement_date": "2026-10-09",
                                                   "negotiation_record": "昆山同意管辖"},
              due=end_of(10, 14), at=sh(10, 9, 11))
    # verify: 15 working days from the agreement on Fri Oct 9: Sat 10, 12-16 (6), 19-23 (11), 26, 27, 28, 29.
    case.step("task_verify", "ks_msa_liaison", {**VERIFIED_NOT_FILE, "filing_decision_date": "2026-10-20"},
              agency="ks_msa", due=end_of(10, 29), at=sh(10, 20, 10))
    # feedback (from Tue Oct 20): 21, 22, 23, 26, 27.
    case.step("task_feedback", "ks_msa_liaison", FEEDBACK, agency="ks_msa", due=end_of(10, 27), at=sh(10, 22, 10))
    # acknowledge (from Thu Oct 22): 23, 26, 27, 28, 29.
    case.step("task_acknowledge", "jd_msa_liaison", ACK, due=end_of(10, 29), at=sh(10, 23, 10))
    case.finish("end_closed_not_filed")
    assert instance_data(case.instance)["verification_start"] == "2026-10-09"


def test_kept_by_origin_after_negotiation(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(7, 6, 9))  # Monday, no holiday near
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(7, 9), at=sh(7, 6, 15))
    # receive (from Mon Jul 6): 7, 8, 9, 10, 13, 14, 15.
    case.step("task_receive", "ks_msa_liaison", {**DISPUTE, "received_date": "2026-07-07"}, agency="ks_msa",
              due=end_of(7, 15), at=sh(7, 7, 10))
    # negotiate (from Tue Jul 7): 8, 9, 10, 13, 14, 15, 16.
    case.step("task_negotiate", "jd_msa_liaison", {"negotiation": "origin_keeps", "agreement_date": "2026-07-10",
                                                   "negotiation_record": "嘉定自行管辖"},
              due=end_of(7, 16), at=sh(7, 10, 10))
    case.finish("end_kept_by_origin")


def test_designated_to_origin_over_national_day(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(9, 14, 9))  # Monday
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(9, 17), at=sh(9, 15, 9))
    # receive (from Tue Sep 15): 16, 17, 18, [Sat 19 off], Sun Sep 20 make-up, 21, 22, 23.
    case.step("task_receive", "ks_msa_liaison", {**DISPUTE, "received_date": "2026-09-15"}, agency="ks_msa",
              due=end_of(9, 23), at=sh(9, 16, 10))
    # negotiate (from Wed Sep 16): 17, 18, Sun 20, 21, 22, 23, 24.
    case.step("task_negotiate", "jd_msa_liaison", NEGOTIATION_FAILED, due=end_of(9, 24), at=sh(9, 24, 16))
    case.step("task_request_designation", "jd_msa_liaison", REQUEST_DESIGNATION, at=sh(9, 28, 9))
    # designate, 上海市知识产权局 up 嘉定's parent chain (from Mon Sep 28): 29, 30, Oct 8, 9, Sat 10, 12, 13.
    case.step("task_designate", "sh_ipo_liaison", {"designation": "origin", "designation_no": "沪知指〔2026〕1号",
                                                   "designation_date": "2026-10-12", "designation_reason": "销售地"},
              agency="sh_ipo", role="leader", due=end_of(10, 13), at=sh(10, 12, 10))
    case.finish("end_kept_by_origin")
    assert case.participants() == {"jd_msa": "initiator", "ks_msa": "work_item", "sh_ipo": "work_item"}


def test_designated_to_target_over_spring_festival(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(2, 2, 9))  # Monday
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(2, 5), at=sh(2, 3, 9))
    # receive (from Tue Feb 3): 4, 5, 6, 9, 10, 11, 12.
    case.step("task_receive", "ks_msa_liaison", {**DISPUTE, "received_date": "2026-02-04"}, agency="ks_msa",
              due=end_of(2, 12), at=sh(2, 5, 10))
    # negotiate (from Thu Feb 5): 6, 9, 10, 11, 12, 13, Sat Feb 14 make-up (7).
    case.step("task_negotiate", "jd_msa_liaison", NEGOTIATION_FAILED, due=end_of(2, 14), at=sh(2, 13, 16))
    case.step("task_request_designation", "jd_msa_liaison", REQUEST_DESIGNATION, at=sh(2, 14, 10))
    # designate (from Sat Feb 14): [15-23 off], 24, 25, 26, 27, Sat 28, Mar 2, 3.
    case.step("task_designate", "sh_ipo_liaison", {"designation": "target", "designation_no": "沪知指〔2026〕2号",
                                                   "designation_date": "2026-02-26", "designation_reason": "生产地"},
              agency="sh_ipo", role="leader", due=end_of(3, 3), at=sh(2, 26, 10))
    # verify: 15 working days from the designation on Thu Feb 26: 27, Sat 28, Mar 2-6 (7), 9-13 (12), 16, 17, 18.
    case.step("task_verify", "ks_msa_liaison", {**VERIFIED_FILE, "filing_decision_date": "2026-03-16"},
              agency="ks_msa", due=end_of(3, 18), at=sh(3, 16, 10))
    # reporter (from Mon Mar 16): 17, 18, 19, 20, 23.
    case.step("task_tell_reporter", "jd_msa_liaison", TOLD, due=end_of(3, 23), at=sh(3, 17, 10))
    # investigation: 90 days from Mar 16: Mar 31 day 15, Apr 30 day 45, May 31 day 76, Sun Jun 14 day 90 -> Mon 15.
    case.step("task_investigate", "ks_msa_liaison", INVESTIGATED, agency="ks_msa", due=end_of(6, 15),
              created=sh(3, 16, 10), at=sh(6, 10, 10))
    # feedback (from Wed Jun 10): 11, 12, 15, 16, 17.
    case.step("task_feedback", "ks_msa_liaison", FEEDBACK, agency="ks_msa", due=end_of(6, 17), at=sh(6, 11, 10))
    # acknowledge (from Thu Jun 11): 12, 15, 16, 17, 18 (Fri Jun 19 is the Dragon Boat Festival).
    case.step("task_acknowledge", "jd_msa_liaison", ACK, due=end_of(6, 18), at=sh(6, 12, 10))
    in_creation_order(case)
    case.finish("end_closed_filed")
    assert instance_data(case.instance)["verification_start"] == "2026-02-26"


def test_designated_to_another_bureau_by_a_chosen_superior(session, ids):  # noqa: ANN001
    """嘉定 and 昆山 share no parent: the origin names 苏州 as the office to designate; it designates 太仓."""
    data = {**REGISTER, "source": "complaint"}
    case = lead(session, ids, sh(4, 20, 9), data)  # Monday
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(4, 23), at=sh(4, 21, 9))
    # receive (from Tue Apr 21): 22, 23, 24, 27, 28, 29, 30.
    case.step("task_receive", "ks_msa_liaison", {**DISPUTE, "received_date": "2026-04-22"}, agency="ks_msa",
              due=end_of(4, 30), at=sh(4, 22, 10))
    # negotiate (from Wed Apr 22): 23, 24, 27, 28, 29, 30, [May 1-5 Labour Day], Wed May 6.
    case.step("task_negotiate", "jd_msa_liaison", NEGOTIATION_FAILED, due=end_of(5, 6), at=sh(4, 29, 10))
    case.step("task_request_designation", "jd_msa_liaison", {**REQUEST_DESIGNATION, "superior_agency": "sz_ipo"},
              at=sh(4, 29, 15))
    # designate (from Wed Apr 29): 30, [May 1-5], 6, 7, 8, Sat May 9 make-up, 11, 12.
    case.step("task_designate", "sz_ipo_liaison", {"designation": "other", "designated_agency": "tc_msa",
                                                   "designation_no": "苏知指〔2026〕3号",
                                                   "designation_date": "2026-05-08",
                                                   "designation_reason": "仓储地在太仓"},
              agency="sz_ipo", role="leader", due=end_of(5, 12), at=sh(5, 8, 10))
    # verify at 太仓: 15 working days from Fri May 8: Sat 9, 11-15 (6), 18-22 (11), 25, 26, 27, 28.
    case.step("task_verify", "tc_msa_liaison", {**VERIFIED_NOT_FILE, "filing_decision_date": "2026-05-20"},
              agency="tc_msa", due=end_of(5, 28), at=sh(5, 20, 10))
    # reporter and feedback, both 5 working days from Wed May 20: 21, 22, 25, 26, 27.
    case.step("task_tell_reporter", "jd_msa_liaison", TOLD, due=end_of(5, 27), at=sh(5, 21, 10))
    case.step("task_feedback", "tc_msa_liaison", FEEDBACK, agency="tc_msa", due=end_of(5, 27),
              created=sh(5, 20, 10), at=sh(5, 22, 10))
    # acknowledge (from Fri May 22): 25, 26, 27, 28, 29.
    case.step("task_acknowledge", "jd_msa_liaison", ACK, due=end_of(5, 29), at=sh(5, 25, 10))
    in_creation_order(case)
    case.finish("end_closed_not_filed")
    data = instance_data(case.instance)
    assert (data["target_agency"], data["previous_target_agency"]) == ("tc_msa", "ks_msa")
    assert case.participants() == {"jd_msa": "initiator", "ks_msa": "work_item", "sz_ipo": "work_item",
                                   "tc_msa": "work_item"}


@pytest.mark.parametrize(("kind", "agency"), [("tax", "jd_tax"), ("copyright", "jd_copyright"),
                                              ("police", "jd_police")])
def test_other_department_handles_the_lead(session, ids, kind, agency):  # noqa: ANN001
    case = lead(session, ids, sh(9, 28, 9), {**MONITORING, "target_type": kind, "target_agency": agency})
    # approve (from Mon Sep 28): 29, 30, [Oct 1-7], Thu Oct 8.
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(10, 8), at=sh(9, 29, 9))
    # receive (from Tue Sep 29): 30, Oct 8, 9, Sat 10, 12, 13, 14.
    case.step(f"task_receive_{kind}", f"{agency}_liaison", DEPT_ACCEPT, agency=agency, due=end_of(10, 14),
              at=sh(10, 8, 10))
    # result: 30 days from Thu Oct 8 is Sat Nov 7 -> Mon Nov 9.
    case.step(f"task_result_{kind}", f"{agency}_liaison", DEPT_RESULT, agency=agency, due=end_of(11, 9),
              at=sh(11, 2, 10))
    # acknowledge (from Mon Nov 2): 3, 4, 5, 6, 9.
    case.step("task_acknowledge", "jd_msa_liaison", ACK, due=end_of(11, 9), at=sh(11, 3, 10))
    case.finish("end_department_handled")
    assert case.participants() == {"jd_msa": "initiator", agency: "work_item"}


def test_police_returns_a_lead_outside_its_remit(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(9, 28, 9), {**MONITORING, "target_type": "police", "target_agency": "jd_police"})
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(10, 8), at=sh(9, 29, 9))
    case.step("task_receive_police", "jd_police_liaison",
              {"department_receipt": "return", "received_date": "2026-09-29", "return_reason": "不涉嫌犯罪"},
              agency="jd_police", due=end_of(10, 14), at=sh(9, 30, 10))
    case.finish("end_department_returned")


# --- lead_transfer: bad targets stop visibly ------------------------------------------------------

@pytest.mark.parametrize(("kind", "code", "reason"), [
    ("market_supervision", "jd_tax", "agency 'jd_tax' is a tax, the lane needs a market_supervision"),
    ("tax", "ks_msa", "agency 'ks_msa' is a market_supervision, the lane needs a tax"),
    ("police", "jd_msa", "agency 'jd_msa' is a market_supervision, the lane needs a police"),
])
def test_unsuitable_or_unknown_target_stops_the_instance(session, ids, kind, code, reason):  # noqa: ANN001
    case = lead(session, ids, sh(3, 2, 9), {**REGISTER, "target_type": kind, "target_agency": code})
    item = case.item()
    leader = case.user("jd_msa_leader")
    claim(session, leader, item)
    complete(session, leader, item, APPROVE)
    session.commit()
    assert case.instance.status == "error"
    assert reason in case.instance.error_reason
    assert case.items() == []


def test_an_unknown_target_is_refused_at_the_field(session, ids):  # noqa: ANN001
    # The field offers the directory's active agencies (x-agencies); the type is the lane's to check.
    with pytest.raises(InvalidDataError) as refused:
        lead(session, ids, sh(3, 2, 9), {**REGISTER, "target_type": "market_supervision", "target_agency": "wz_msa"})
    assert refused.value.details == {"target_agency": [message("field_agency_not_offered", value="wz_msa")]}


def test_designating_an_unsuitable_agency_stops_the_instance(session, ids):  # noqa: ANN001
    case = lead(session, ids, sh(7, 6, 9))
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(7, 9), at=sh(7, 6, 15))
    case.step("task_receive", "ks_msa_liaison", {**DISPUTE, "received_date": "2026-07-07"}, agency="ks_msa",
              due=end_of(7, 15), at=sh(7, 7, 10))
    case.step("task_negotiate", "jd_msa_liaison", NEGOTIATION_FAILED, due=end_of(7, 16), at=sh(7, 8, 10))
    case.step("task_request_designation", "jd_msa_liaison", REQUEST_DESIGNATION, at=sh(7, 8, 11))
    item = case.item()
    boss = case.user("sh_ipo_liaison")
    claim(session, boss, item)
    complete(session, boss, item, {"designation": "other", "designated_agency": "jd_police",
                                   "designation_no": "沪知指〔2026〕9号", "designation_date": "2026-07-09",
                                   "designation_reason": "误选"})
    session.commit()
    assert case.instance.status == "error"
    assert "agency 'jd_police' is a police, the lane needs a market_supervision" in case.instance.error_reason


def test_registration_form_rules(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9), process="lead_transfer")
    item, user = case.item(), case.user("jd_msa_liaison")
    claim(session, user, item)
    bad = [{**REGISTER, "reporter_name": None},  # a real-name report names the reporter
           {k: v for k, v in REGISTER.items() if k != "reporter_contact"},
           {**MONITORING, "reporter_real_name": True, "reporter_name": "张某", "reporter_contact": "1"},
           {**REGISTER, "target_type": "customs"},
           {**REGISTER, "unexpected": 1}]
    for data in bad:
        with pytest.raises(InvalidDataError):
            complete(session, user, item, data)
    session.rollback()


# --- the diagrams carry the settings the timer worker reads ------------------------------------

def _tasks(key: str):  # noqa: ANN202
    """Extension properties by element id, and what deployment reads from the process."""
    root = etree.parse(str(BPMN / key / f"{key}.bpmn")).getroot()
    process = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    return {node.get("id"): extension_properties(node) for node in process.iter()
            if node.get("id") and extension_properties(node)}, read_process(process)


def test_lead_transfer_carries_escalation_extension_and_notices():
    props, info = _tasks("lead_transfer")
    assert {k: props["task_verify"][k] for k in ("deadline", "deadlineFrom", "extension", "extensionRole",
                                                 "maxExtensions", "escalateTo")} == {
        "deadline": "15 working days", "deadlineFrom": "verification_start", "extension": "15 working days",
        "extensionRole": "leader", "maxExtensions": "1", "escalateTo": "lane_origin"}
    assert (props["task_investigate"]["deadline"], props["task_investigate"]["extension"],
            props["task_investigate"]["escalateTo"]) == ("90 days", "30 days", "lane_origin")
    assert props["event_case_filed"]["noticeKind"] == "case_filed"
    assert props["task_feedback"]["noticeKind"] == "feedback_arrived"
    assert props["task_request_designation"]["copyTo"] == "lane_target"
    for task in props.values():  # every notified or escalated lane exists
        for key in ("notify", "escalateTo", "copyTo"):
            for lane in filter(None, task.get(key, "").split(",")):
                assert lane.split(":")[0] in info.lanes
    assert {(lane.id, lane.agency_type, lane.agency_from) for lane in info.lanes.values()} == {
        ("lane_origin", "market_supervision", None), ("lane_target", "market_supervision", "target_agency"),
        ("lane_superior", "ip_office", "superior_agency"), ("lane_tax", "tax", "target_agency"),
        ("lane_copyright", "copyright", "target_agency"), ("lane_police", "police", "target_agency")}
