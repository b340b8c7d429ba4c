"""Every path of case_transfer driven through the services, with exact due times (DOMAIN.md §2–3)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.helpers import REGISTER, Case, end_of, sh
from workflows.errors import PermissionDeniedError
from workflows.work.instances import instance_data, instance_events, instance_work_items
from workflows.work.participation import can_view
from workflows.work.queues import list_work_items
from workflows.work.work_items import claim

# --- one valid submission per form ------------------------------------------------------------
VERIFY = {"special_team_officers": ["王敏", "李强"], "transfer_report": "经核实，非法经营数额达到追诉标准。"}
APPROVE = {"approval": "approve", "approval_comment": "同意移送"}
REFUSE = {"approval": "refuse", "refusal_reason": "证据不足以证明涉嫌犯罪"}
TRANSFER = {"transfer_letter_no": "沪嘉市监移〔2026〕1号", "copied_to_procuratorate": True,
            "transfer_documents": ["transfer_letter", "investigation_report", "seized_items_list"]}
ACCEPT = {"acceptance": "accept", "receipt_no": "回执〔2026〕1号"}
FORWARD = {"acceptance": "forward", "police_agency": "cn_police", "forward_reason": "犯罪地在长宁区"}
ASK_SUPPLEMENT = {"acceptance": "request_supplement", "missing_materials": ["检验报告"]}
SUPPLEMENT = {"supplemented_materials": ["检验报告"], "supplement_note": "已补正"}
FILE = {"filing_decision": "file", "filing_notice_no": "嘉公立〔2026〕1号"}
DECLINE = {"filing_decision": "decline", "decline_reason": "情节显著轻微", "decline_notice_no": "嘉公不立〔2026〕1号"}
HANDOVER = {"handover_record_no": "交接〔2026〕1号", "handover_date": "2026-03-06",
            "handed_over_items": [{"name": "假冒运动鞋", "quantity": 1200, "unit": "双"}]}
PROSECUTE = {"investigation_outcome": "prosecution", "prosecution_transfer_no": "嘉公诉〔2026〕1号"}
REVERSE = {"investigation_outcome": "reverse_transfer", "reverse_transfer_ground": "not_prosecuted",
           "reverse_transfer_reason": "不起诉，但仍需追究行政责任"}
REVERSE_HANDLED = {"reverse_received_date": "2026-06-02", "reverse_handling_result": "penalty",
                   "penalty_decision_no": "沪嘉市监罚〔2026〕9号", "penalty_amount": 50000,
                   "penalty_decision_date": "2026-06-20", "reverse_handling_description": "没收并罚款"}
RESPONSE_ACCEPT = {"bureau_response": "accept"}  # + notice_received_date
RESPONSE_RECONSIDER = {"bureau_response": "reconsideration", "reconsideration_request_reason": "数额已达追诉标准"}
RESPONSE_SUPERVISE = {"bureau_response": "supervision"}
UPHOLD = {"reconsideration_result": "uphold", "reconsideration_reason": "维持原决定",
          "reconsideration_decision_no": "嘉公复〔2026〕1号"}
RECONSIDER_FILE = {"reconsideration_result": "file", "filing_notice_no": "嘉公立〔2026〕2号"}
POST_SUPERVISE = {"post_reconsideration_response": "supervision"}
POST_ACCEPT = {"post_reconsideration_response": "accept", "response_note": "接受复议决定"}
SUPERVISION_REQUEST = {"supervision_request_no": "沪嘉市监建〔2026〕1号", "supervision_request_reason": "应当立案",
                       "supervision_materials": ["不予立案通知书", "复议决定书"]}
REQUIRE_EXPLANATION = {"supervision_review": "require_explanation", "explanation_notice_no": "嘉检说〔2026〕1号"}
NO_SUPERVISION = {"supervision_review": "no_supervision", "no_supervision_reason": "不属于应当立案的情形"}
EXPLAIN = {"non_filing_explanation": "情节显著轻微，不认为是犯罪"}
REASONS_VALID = {"supervision_conclusion": "reasons_valid", "conclusion_reason": "不立案理由成立"}
ORDER_FILING = {"supervision_conclusion": "order_filing", "conclusion_reason": "理由不成立",
                "filing_order_no": "嘉检通立〔2026〕1号"}
FILE_ON_ORDER = {"filing_notice_no": "嘉公立〔2026〕7号", "filing_date": "2026-09-10"}
ADMIN = {"penalty_decision_no": "沪嘉市监罚〔2026〕1号", "penalty_amount": 30000, "penalty_decision_date": "2026-03-10"}


def to_police(case: Case, approve_due: datetime) -> None:
    """Register, verify, approve and transfer, from a Monday 09:00 start; leaves task_accept waiting."""
    t0 = case.clock
    case.step("task_register", "jd_msa_liaison", REGISTER, at=t0 + timedelta(hours=1))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=t0 + timedelta(hours=25),  # 24 hours
              at=t0 + timedelta(hours=7, minutes=30))
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=approve_due, at=t0 + timedelta(days=1))
    case.step("task_transfer", "jd_msa_liaison", TRANSFER, due=t0 + timedelta(days=2),  # 24 hours
              at=t0 + timedelta(hours=30))


def declined(case: Case) -> None:
    """From the 嘉定 transfer of Mon Mar 2 to the bureau's response item of Wed Mar 4 17:00."""
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    case.step("task_decide", "jd_police_leader", DECLINE, agency="jd_police", role="leader", due=end_of(3, 9),
              at=sh(3, 4, 17))  # Wed + 3 days = Sat Mar 7 -> Mon Mar 9


@pytest.fixture
def ids(session, shipped, create_user):  # noqa: ANN001, ANN201
    """Demo user ids, plus a 长宁 police leader and a 长宁 procurator the demo lacks."""
    ids = {**shipped, "cn_police_leader": create_user("cn_police_leader", "cn_police", ["leader", "liaison"]).id,
           "cn_procurator": create_user("cn_procurator", "cn_procuratorate").id}
    session.commit()
    return ids


# --- paths -------------------------------------------------------------------------------------

def test_approval_refused_goes_to_administrative_handling(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))  # Monday
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 2, 10))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=sh(3, 3, 10), at=sh(3, 2, 16, 30))
    # 3 days from Mon 16:30: the trigger day is not counted, ends 24:00 Thu Mar 5.
    case.step("task_approve", "jd_msa_leader", REFUSE, role="leader", due=end_of(3, 5), at=sh(3, 4, 11))
    assert "jd_procuratorate" not in case.participants()
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=sh(3, 10, 9))
    case.finish("end_administrative")
    assert case.participants() == {"jd_msa": "initiator", "jd_procuratorate": "copy"}

    # Every state change left an audit event, in order.
    kept = {"instance.started", "work_item.created", "work_item.claimed", "work_item.completed",
            "instance.copied", "instance.completed"}
    names = {i.id: i.task_name for i in instance_work_items(session, case.instance)}
    trail = [(e.type, names.get(e.work_item_id)) for e in instance_events(session, case.instance) if e.type in kept]
    expected = [("instance.started", None)]
    for task in case.done:
        expected += [("work_item.created", task), ("work_item.claimed", task), ("work_item.completed", task)]
    expected += [("instance.completed", None), ("instance.copied", "task_admin_handling")]
    assert trail == expected


def test_forwarded_to_competent_police(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", FORWARD, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    # The lane follows police_agency: the next accept item waits in 长宁 police's queue only.
    item = case.item()
    assert [i.id for i in list_work_items(session, case.user("cn_police_liaison"))] == [item.id]
    assert list_work_items(session, case.user("jd_police_liaison")) == []
    with pytest.raises(PermissionDeniedError):
        claim(session, case.user("jd_police_liaison"), item)
    case.step("task_accept", "cn_police_liaison", ACCEPT, agency="cn_police", due=sh(3, 5, 9), at=sh(3, 4, 14))
    # Wed + 3 days = Sat Mar 7, a rest day: ends 24:00 Mon Mar 9.
    case.step("task_decide", "cn_police_leader", FILE, agency="cn_police", role="leader", due=end_of(3, 9),
              at=sh(3, 6, 10))
    case.step("task_handover", "jd_msa_liaison", HANDOVER, due=end_of(3, 9), at=sh(3, 6, 16))
    case.step("task_investigation", "cn_police_liaison", PROSECUTE, agency="cn_police", at=sh(5, 11, 10))
    case.finish("end_prosecution")
    assert instance_data(case.instance)["forward_rounds"] == 1
    assert case.participants()["cn_police"] == "work_item"


def test_supplement_loop_then_declined_and_accepted(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ASK_SUPPLEMENT, agency="jd_police", due=sh(3, 4, 15),
              at=sh(3, 3, 17))
    case.step("task_supplement", "jd_msa_liaison", SUPPLEMENT, due=end_of(3, 6), at=sh(3, 5, 10))  # Tue + 3 days
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 6, 10), at=sh(3, 5, 15))
    case.step("task_decide", "jd_police_leader", DECLINE, agency="jd_police", role="leader", due=end_of(3, 9),
              at=sh(3, 6, 11))  # Thu + 3 days = Sun Mar 8 -> Mon Mar 9
    case.step("task_bureau_response", "jd_msa_liaison", {**RESPONSE_ACCEPT, "notice_received_date": "2026-03-06"},
              due=end_of(3, 9), at=sh(3, 9, 9))  # Fri + 3 days = Mon Mar 9
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=sh(3, 12, 9))
    case.finish("end_administrative")
    assert instance_data(case.instance)["supplement_rounds"] == 1


def test_sixth_supplement_request_ends_in_administrative_handling(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    for _ in range(5):  # every round on Tue Mar 3, half an hour a step
        case.step("task_accept", "jd_police_liaison", ASK_SUPPLEMENT, agency="jd_police",
                  due=case.clock + timedelta(hours=24), at=case.clock + timedelta(minutes=30))
        case.step("task_supplement", "jd_msa_liaison", SUPPLEMENT, due=end_of(3, 6),
                  at=case.clock + timedelta(minutes=30))
    case.step("task_accept", "jd_police_liaison", ASK_SUPPLEMENT, agency="jd_police",
              due=case.clock + timedelta(hours=24), at=case.clock + timedelta(minutes=30))
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=case.clock + timedelta(days=1))
    case.finish("end_administrative")
    assert instance_data(case.instance)["supplement_rounds"] == 6


def test_sixth_forward_ends_in_administrative_handling(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    here, there = "jd_police", "cn_police"
    for _ in range(6):  # back and forth between 嘉定 and 长宁 police
        case.step("task_accept", f"{here}_liaison", {**FORWARD, "police_agency": there}, agency=here,
                  due=case.clock + timedelta(hours=24), at=case.clock + timedelta(minutes=30))
        here, there = there, here
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=case.clock + timedelta(days=1))
    case.finish("end_administrative")
    assert instance_data(case.instance)["forward_rounds"] == 6


@pytest.mark.parametrize(("outcome", "end"), [("prosecution", "end_prosecution"),
                                              ("reverse_transfer", "end_reverse_transfer")])
def test_filed_handed_over_and_investigated(session, ids, outcome, end):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    case.step("task_decide", "jd_police_leader", FILE, agency="jd_police", role="leader", due=end_of(3, 9),
              at=sh(3, 5, 10))  # Wed + 3 days = Sat Mar 7 -> Mon Mar 9
    case.step("task_handover", "jd_msa_liaison", HANDOVER, due=end_of(3, 9), at=sh(3, 6, 10))  # Thu -> Sun -> Mon
    case.step("task_investigation", "jd_police_liaison", PROSECUTE if outcome == "prosecution" else REVERSE,
              agency="jd_police", at=sh(6, 1, 10))
    if outcome == "reverse_transfer":  # 30 days from Mon Jun 1: 24:00 Wed Jul 1
        case.step("task_reverse_transfer", "jd_msa_liaison", REVERSE_HANDLED, due=end_of(7, 1), at=sh(6, 22, 10))
    case.finish(end)
    # What the statistics count (docs/diagrams.md §9), each for the agency that acted.
    reversed_ = [("reverse_transferred", "jd_police")] if outcome == "reverse_transfer" else []
    assert case.measures() == [("transferred", "jd_msa"), ("police_accepted", "jd_police"),
                               ("police_filed", "jd_police"), *reversed_]


def test_reconsideration_files_the_case(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    declined(case)
    case.step("task_bureau_response", "jd_msa_liaison", {**RESPONSE_RECONSIDER, "notice_received_date": "2026-03-04"},
              due=end_of(3, 9), at=sh(3, 5, 10))
    case.step("task_reconsider", "jd_police_leader", RECONSIDER_FILE, agency="jd_police", role="leader",
              due=end_of(3, 9), at=sh(3, 6, 10))  # Thu + 3 days = Sun Mar 8 -> Mon Mar 9
    case.step("task_handover", "jd_msa_liaison", HANDOVER, due=end_of(3, 9), at=sh(3, 9, 10))  # Fri + 3 = Mon
    case.step("task_investigation", "jd_police_liaison", REVERSE, agency="jd_police", at=sh(6, 1, 10))
    case.step("task_reverse_transfer", "jd_msa_liaison", REVERSE_HANDLED, due=end_of(7, 1), at=sh(6, 22, 10))
    case.finish("end_reverse_transfer")
    assert [code for code, _ in case.measures()] == ["transferred", "police_accepted", "police_declined",
                                                     "filed_after_reconsideration", "reverse_transferred"]


def test_reconsideration_upheld_and_accepted(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    declined(case)
    case.step("task_bureau_response", "jd_msa_liaison", {**RESPONSE_RECONSIDER, "notice_received_date": "2026-03-04"},
              due=end_of(3, 9), at=sh(3, 5, 10))
    case.step("task_reconsider", "jd_police_leader", UPHOLD, agency="jd_police", role="leader", due=end_of(3, 9),
              at=sh(3, 6, 10))
    case.step("task_post_reconsideration", "jd_msa_liaison", {**POST_ACCEPT, "notice_received_date": "2026-03-06"},
              due=end_of(3, 9), at=sh(3, 9, 10))
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=sh(3, 12, 10))
    case.finish("end_administrative")


def test_procuratorate_sees_no_ground_for_supervision(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    declined(case)
    case.step("task_bureau_response", "jd_msa_liaison", {**RESPONSE_SUPERVISE, "notice_received_date": "2026-03-04"},
              due=end_of(3, 9), at=sh(3, 5, 10))
    case.step("task_supervision_request", "jd_msa_liaison", SUPERVISION_REQUEST, due=end_of(3, 9),
              at=sh(3, 5, 15))  # from the notice: Wed Mar 4 + 3 days = Sat Mar 7 -> Mon Mar 9
    case.step("task_supervision_review", "jd_procurator", NO_SUPERVISION, agency="jd_procuratorate",
              at=sh(3, 10, 10))
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=sh(3, 12, 10))
    case.finish("end_administrative")
    assert case.participants()["jd_procuratorate"] == "copy"  # it joined by the transfer's copy first


def test_supervision_across_national_day_reasons_valid(session, ids):  # noqa: ANN001
    """Declined, reconsideration upheld, supervision, explanation, reasons valid: National Day 2026 in between."""
    case = Case(session, ids, sh(9, 28, 9))  # Monday before National Day
    # Mon Sep 28 + 3 days = Oct 1; Oct 1-7 are holidays: ends 24:00 Thu Oct 8.
    to_police(case, approve_due=end_of(10, 8))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(9, 30, 15), at=sh(9, 30, 10))
    case.step("task_decide", "jd_police_leader", DECLINE, agency="jd_police", role="leader", due=end_of(10, 8),
              at=sh(9, 30, 17))
    case.step("task_bureau_response", "jd_msa_liaison", {**RESPONSE_RECONSIDER, "notice_received_date": "2026-09-30"},
              due=end_of(10, 8), at=sh(10, 8, 10))
    # Thu Oct 8 + 3 days = Sun Oct 11 (Sat Oct 10 is a make-up working day, Sunday is not): Mon Oct 12.
    case.step("task_reconsider", "jd_police_leader", UPHOLD, agency="jd_police", role="leader", due=end_of(10, 12),
              at=sh(10, 9, 16))
    case.step("task_post_reconsideration", "jd_msa_liaison", {**POST_SUPERVISE, "notice_received_date": "2026-10-09"},
              due=end_of(10, 12), at=sh(10, 12, 9))
    # deadlineFrom: 3 days from the reconsideration notice (Fri Oct 9), not from the item (Mon Oct 12 -> Oct 15),
    # and the later notice_received_date wins over the first one (Sep 30 -> Oct 8).
    case.step("task_supervision_request", "jd_msa_liaison", SUPERVISION_REQUEST, due=end_of(10, 12),
              at=sh(10, 12, 15))
    case.step("task_supervision_review", "jd_procurator", REQUIRE_EXPLANATION, agency="jd_procuratorate",
              at=sh(10, 13, 10))
    case.step("task_explain", "jd_police_liaison", EXPLAIN, agency="jd_police", due=end_of(10, 20),
              at=sh(10, 16, 11))  # Tue + 7 days
    case.step("task_conclude", "jd_procur_leader", REASONS_VALID, agency="jd_procuratorate", role="leader",
              due=end_of(10, 26), at=sh(10, 20, 10))  # Fri Oct 16 + 10 days = Mon Oct 26
    case.step("task_admin_handling", "jd_msa_liaison", ADMIN, at=sh(10, 23, 10))
    case.finish("end_administrative")


def test_supervision_orders_filing(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(8, 24, 9))  # Monday
    to_police(case, approve_due=end_of(8, 27))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(8, 26, 15), at=sh(8, 26, 9))
    case.step("task_decide", "jd_police_leader", DECLINE, agency="jd_police", role="leader", due=end_of(8, 31),
              at=sh(8, 28, 10))  # Wed + 3 days = Sat Aug 29 -> Mon Aug 31
    case.step("task_bureau_response", "jd_msa_liaison", {**RESPONSE_SUPERVISE, "notice_received_date": "2026-08-28"},
              due=end_of(8, 31), at=sh(8, 31, 9))
    # From the notice (Fri Aug 28 + 3 = Mon Aug 31), not from the item's creation (Mon Aug 31 -> Thu Sep 3).
    case.step("task_supervision_request", "jd_msa_liaison", SUPERVISION_REQUEST, due=end_of(8, 31),
              at=sh(8, 31, 14))
    case.step("task_supervision_review", "jd_procurator", REQUIRE_EXPLANATION, agency="jd_procuratorate",
              at=sh(9, 1, 10))
    case.step("task_explain", "jd_police_liaison", EXPLAIN, agency="jd_police", due=end_of(9, 8), at=sh(9, 3, 16))
    case.step("task_conclude", "jd_procur_leader", ORDER_FILING, agency="jd_procuratorate", role="leader",
              due=end_of(9, 14), at=sh(9, 4, 11))  # Thu Sep 3 + 10 days = Sun Sep 13 -> Mon Sep 14
    # Fri Sep 4 + 15 days = Sat Sep 19, a rest day; Sun Sep 20 is a make-up working day, so it ends there.
    case.step("task_file_on_order", "jd_police_liaison", FILE_ON_ORDER, agency="jd_police", due=end_of(9, 20),
              at=sh(9, 10, 10))
    case.step("task_handover", "jd_msa_liaison", HANDOVER, due=end_of(9, 14), at=sh(9, 11, 10))  # Thu -> Sun -> Mon
    case.step("task_investigation", "jd_police_liaison", PROSECUTE, agency="jd_police", at=sh(11, 2, 10))
    case.finish("end_prosecution")
    assert [code for code, _ in case.measures()] == ["transferred", "police_accepted", "police_declined",
                                                     "filing_ordered"]


def test_transfer_copies_the_same_level_procuratorate(session, ids):  # noqa: ANN001
    case = Case(session, ids, sh(3, 2, 9))
    jd_procurator, cn_procurator = case.user("jd_procurator"), case.user("cn_procurator")
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 2, 10))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=sh(3, 3, 10), at=sh(3, 2, 16, 30))
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(3, 5), at=sh(3, 3, 9))
    assert not can_view(session, jd_procurator, case.instance)
    case.step("task_transfer", "jd_msa_liaison", TRANSFER, due=sh(3, 4, 9), at=sh(3, 3, 15))
    assert case.participants() == {"jd_msa": "initiator", "jd_procuratorate": "copy", "jd_police": "work_item"}
    assert can_view(session, jd_procurator, case.instance)
    assert not can_view(session, cn_procurator, case.instance)
    copied = [e for e in instance_events(session, case.instance) if e.type == "instance.copied"]
    assert [(e.payload["lane"], e.actor_id) for e in copied] == [("lane_procuratorate", ids["jd_msa_liaison"])]


def test_wrong_agency_or_role_cannot_claim(session, ids, create_instance):  # noqa: ANN001
    with pytest.raises(PermissionDeniedError):  # the start event lies in the bureau lane
        create_instance("case_transfer", "jd_police_liaison")
    case = Case(session, ids, sh(3, 2, 9))
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 2, 10))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=sh(3, 3, 10), at=sh(3, 2, 16, 30))
    approve = case.item()
    for username in ("jd_msa_liaison", "cn_msa_liaison", "jd_police_leader"):  # no leader role / wrong agency
        with pytest.raises(PermissionDeniedError):
            claim(session, case.user(username), approve)
    session.rollback()
    assert case.item().status == "open"


def test_deadline_in_unpublished_year_is_provisional(session, ids):  # noqa: ANN001
    """chinese-calendar 1.11 stops at 2026: a 2027 day-count deadline uses weekends only and says so."""
    case = Case(session, ids, sh(3, 1, 9, year=2027))  # Monday
    case.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 1, 10, year=2027))
    case.step("task_verify", "jd_msa_liaison", VERIFY, due=sh(3, 2, 10, year=2027), at=sh(3, 1, 16, year=2027))
    item = case.item()
    assert (item.task_name, item.due_at, item.due_provisional) == ("task_approve", end_of(3, 4, year=2027), True)
