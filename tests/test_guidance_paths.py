"""Every path of guidance_request (疑难案件请示, DOMAIN.md §6), driven through the services with exact due times.

All deadlines here are internal targets (configurable in the diagram). Expected due times are counted by hand in
the comments (DOMAIN.md §2): working days count from the day after the trigger and end at 24:00 of the last one;
2026 holidays and make-up days as pinned and checked in tests/test_leads_paths.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import Case, end_of, sh
from workflows.engine.diagram import extension_properties
from workflows.errors import InvalidDataError, PermissionDeniedError
from workflows.messages import message
from workflows.work.instances import instance_data
from workflows.work.work_items import claim, complete

BPMN = Path(__file__).resolve().parent.parent / "bpmn"

DRAFT = {"request_title": "关于销售者合法来源抗辩认定问题的请示", "request_no": "沪嘉市监〔2026〕请1号",
         "case_no": "沪嘉市监立〔2026〕21号", "question_type": "application_of_law",
         "facts": "当事人销售假冒注册商标的箱包，提供了进货票据但价格明显低于市场价",
         "legal_question": "进货价格明显偏低时能否认定合法来源",
         "own_analysis": "价格明显偏低，不能认定为不知道是侵权商品", "proposed_handling": "不予认定合法来源，依法处罚",
         "attachments": [{"name": "进货票据", "pages": 3}]}
APPROVE = {"approval": "approve", "approval_comment": "同意报送"}
ANSWER = {"review_outcome": "answer", "review_opinion": "事实清楚，可以批复"}
MORE = {"review_outcome": "request_material", "review_opinion": "需要核实进货价格",
        "material_requested": ["同类商品市场价格证明"]}
SUPPLEMENT = {"supplemented_materials": ["市场价格调查表"], "supplement_note": "已补充"}
REPLY = {"reply_no": "沪知保复〔2026〕1号", "reply_date": "2026-03-10", "reply_content": "同意你局的处理意见"}
HANDLED = {"handling_result": "penalty", "decision_no": "沪嘉市监罚〔2026〕33号", "handled_on": "2026-03-20",
           "handling_description": "依批复作出处罚决定"}
REFERENCE = {"reference_case": True, "reference_reason": "合法来源抗辩的认定具有普遍意义",
             "reference_title": "进货价格明显偏低不能认定合法来源案", "keywords": ["合法来源", "商标"]}
NO_REFERENCE = {"reference_case": False}


def pass_up(to: str) -> dict:
    return {"review_outcome": "pass_up", "review_opinion": "涉及法律适用的统一", "pass_up_to": to,
            "pass_up_reason": "需由上一级机关答复"}


@pytest.fixture
def ids(session, shipped, create_agency, create_user):  # noqa: ANN001, ANN201
    """Demo users, plus 江苏省知识产权局 and 国家知识产权局 with a leader each (the demo stops at the city)."""
    create_agency("cnipa", "国家知识产权局", type_code="ip_office", jurisdiction="全国", level="national")
    create_agency("js_ipo", "江苏省知识产权局", type_code="ip_office", jurisdiction="江苏省", level="province")
    ids = {**shipped, **{username: create_user(username, agency, ["leader", "liaison"]).id
                         for username, agency in (("cnipa_leader", "cnipa"), ("js_ipo_leader", "js_ipo"))}}
    session.commit()
    return ids


def drafted(session, ids, start, starter="jd_msa_liaison"):  # noqa: ANN001, ANN201
    case = Case(session, ids, start, "JD-QS-1", process="guidance_request", starter=starter)
    agency = starter.removesuffix("_liaison")
    case.step("task_draft", starter, DRAFT, agency=agency, at=start + timedelta(hours=1))
    return case


def test_leader_does_not_send_over_spring_festival(session, ids):  # noqa: ANN001
    case = drafted(session, ids, sh(2, 13, 9))  # Friday
    # approve (from Fri Feb 13): Sat 14 make-up, [15-23 off], 24, 25.
    case.step("task_approve", "jd_msa_leader", {"approval": "refuse", "refusal_reason": "本局可自行研究"},
              role="leader", due=end_of(2, 25), at=sh(2, 24, 10))
    case.finish("end_not_sent")
    assert case.participants() == {"jd_msa": "initiator"}


def test_material_round_answer_and_reference_case_over_spring_festival(session, ids):  # noqa: ANN001
    case = drafted(session, ids, sh(2, 9, 9))  # Monday
    # approve (from Mon Feb 9): 10, 11, 12.
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(2, 12), at=sh(2, 10, 9))
    # review at 上海市知识产权局, up 嘉定's parent chain, 10 working days from Tue Feb 10:
    # 11, 12, 13, Sat 14, [15-23 off], 24, 25, 26, 27, Sat 28, Mon Mar 2.
    case.step("task_review", "sh_ipo_liaison", MORE, agency="sh_ipo", due=end_of(3, 2), at=sh(2, 12, 10))
    # supplement (from Thu Feb 12): 13, Sat 14, 24, 25, 26, 27, Sat 28, Mar 2, 3, 4.
    case.step("task_supplement", "jd_msa_liaison", SUPPLEMENT, due=end_of(3, 4), at=sh(2, 26, 10))
    # review again (from Thu Feb 26): 27, Sat 28, Mar 2-6 (7), 9, 10, 11.
    case.step("task_review", "sh_ipo_liaison", ANSWER, agency="sh_ipo", due=end_of(3, 11), at=sh(3, 3, 10))
    # reply: 20 working days from Tue Mar 3: 4, 5, 6 (3), 9-13 (8), 16-20 (13), 23-27 (18), 30, 31.
    case.step("task_reply", "sh_ipo_liaison", REPLY, agency="sh_ipo", role="leader", due=end_of(3, 31),
              at=sh(3, 10, 10))
    # handling: 30 days from Tue Mar 10 -> Thu Apr 9.
    case.step("task_record_handling", "jd_msa_liaison", HANDLED, due=end_of(4, 9), at=sh(3, 20, 10))
    # reference (from Fri Mar 20): 23-27 (5), 30, 31, Apr 1, 2, 3 (Mon Apr 6 is Qingming).
    case.step("task_mark_reference", "sh_ipo_liaison", REFERENCE, agency="sh_ipo", role="leader",
              due=end_of(4, 3), at=sh(3, 24, 10))
    case.finish("end_reference_case")
    assert instance_data(case.instance)["material_rounds"] == 1
    assert case.participants() == {"jd_msa": "initiator", "sh_ipo": "work_item"}


def test_passed_up_and_answered_over_national_day(session, ids):  # noqa: ANN001
    case = drafted(session, ids, sh(9, 21, 9))  # Monday
    # approve (from Mon Sep 21): 22, 23, 24.
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(9, 24), at=sh(9, 22, 9))
    # review (from Tue Sep 22): 23, 24, [25 Mid-autumn, 26, 27], 28, 29, 30, [Oct 1-7], 8, 9, Sat 10, 12, 13.
    case.step("task_review", "sh_ipo_liaison", pass_up("cnipa"), agency="sh_ipo", due=end_of(10, 13),
              at=sh(9, 29, 10))
    # the same review step, now at 国家知识产权局 (from Tue Sep 29): 30, Oct 8, 9, Sat 10, 12-16 (9), 19.
    case.step("task_review", "cnipa_leader", ANSWER, agency="cnipa", due=end_of(10, 19), at=sh(10, 15, 10))
    # reply (from Thu Oct 15): 16, 19-23 (6), 26-30 (11), Nov 2-6 (16), 9, 10, 11, 12.
    case.step("task_reply", "cnipa_leader", REPLY, agency="cnipa", role="leader", due=end_of(11, 12),
              at=sh(10, 30, 10))
    # handling: 30 days from Fri Oct 30 is Sun Nov 29 -> Mon Nov 30.
    case.step("task_record_handling", "jd_msa_liaison", HANDLED, due=end_of(11, 30), at=sh(11, 10, 10))
    # reference (from Tue Nov 10): 11, 12, 13, 16-20 (8), 23, 24.
    case.step("task_mark_reference", "cnipa_leader", NO_REFERENCE, agency="cnipa", role="leader",
              due=end_of(11, 24), at=sh(11, 12, 10))
    case.finish("end_answered")
    data = instance_data(case.instance)
    assert (data["higher_office"], data["passed_up_to"], data["pass_up_rounds"]) == ("cnipa", ["cnipa"], 1)
    assert case.participants() == {"jd_msa": "initiator", "sh_ipo": "work_item", "cnipa": "work_item"}


def test_fourth_material_request_is_answered_on_the_file(session, ids):  # noqa: ANN001
    """Three supplement rounds are followed; a fourth request goes straight to the reply."""
    case = drafted(session, ids, sh(7, 6, 9))  # Monday, every step that day, no holiday near
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(7, 9), at=sh(7, 6, 10, 30))
    review_due = end_of(7, 20)  # 10 working days from Mon Jul 6: 7-10, 13-17, 20
    for _ in range(3):
        case.step("task_review", "sh_ipo_liaison", MORE, agency="sh_ipo", due=review_due,
                  at=case.clock + timedelta(minutes=30))
        case.step("task_supplement", "jd_msa_liaison", SUPPLEMENT, due=review_due,
                  at=case.clock + timedelta(minutes=30))
    case.step("task_review", "sh_ipo_liaison", MORE, agency="sh_ipo", due=review_due,
              at=case.clock + timedelta(minutes=30))
    # reply: 20 working days from Mon Jul 6: 7-10 (4), 13-17 (9), 20-24 (14), 27-31 (19), Aug 3.
    case.step("task_reply", "sh_ipo_liaison", REPLY, agency="sh_ipo", role="leader", due=end_of(8, 3),
              at=case.clock + timedelta(minutes=30))
    # handling: 30 days from Mon Jul 6 -> Wed Aug 5.
    case.step("task_record_handling", "jd_msa_liaison", HANDLED, due=end_of(8, 5),
              at=case.clock + timedelta(minutes=30))
    case.step("task_mark_reference", "sh_ipo_liaison", NO_REFERENCE, agency="sh_ipo", role="leader",
              due=review_due, at=case.clock + timedelta(minutes=30))
    case.finish("end_answered")
    assert instance_data(case.instance)["material_rounds"] == 4


def test_third_pass_up_is_answered_where_it_stands(session, ids):  # noqa: ANN001
    """昆山 -> 苏州 (parent) -> 江苏 -> 国家局; a third pass-up is refused by the bound and 国家局 answers."""
    case = drafted(session, ids, sh(7, 6, 9), starter="ks_msa_liaison")
    case.step("task_approve", "ks_msa_leader", APPROVE, agency="ks_msa", role="leader", due=end_of(7, 9),
              at=sh(7, 6, 10, 30))
    review_due = end_of(7, 20)
    for here, leader, to in (("sz_ipo", "sz_ipo_liaison", "js_ipo"), ("js_ipo", "js_ipo_leader", "cnipa"),
                             ("cnipa", "cnipa_leader", "sh_ipo")):
        case.step("task_review", leader, pass_up(to), agency=here, due=review_due,
                  at=case.clock + timedelta(minutes=30))
    case.step("task_reply", "cnipa_leader", REPLY, agency="cnipa", role="leader", due=end_of(8, 3),
              at=case.clock + timedelta(minutes=30))
    case.step("task_record_handling", "ks_msa_liaison", HANDLED, agency="ks_msa", due=end_of(8, 5),
              at=case.clock + timedelta(minutes=30))
    case.step("task_mark_reference", "cnipa_leader", REFERENCE, agency="cnipa", role="leader", due=review_due,
              at=case.clock + timedelta(minutes=30))
    case.finish("end_reference_case")
    data = instance_data(case.instance)
    assert (data["higher_office"], data["passed_up_to"], data["pass_up_rounds"]) == ("cnipa", ["js_ipo", "cnipa"], 3)
    assert "sh_ipo" not in case.participants()


def test_passing_up_to_an_unsuitable_agency_is_refused_at_the_field(session, ids):  # noqa: ANN001
    case = drafted(session, ids, sh(7, 6, 9))
    case.step("task_approve", "jd_msa_leader", APPROVE, role="leader", due=end_of(7, 9), at=sh(7, 6, 10))
    item, user = case.item(), case.user("sh_ipo_liaison")
    claim(session, user, item)
    # The field offers IP offices only (x-agencies): a police code is refused before the case moves.
    with pytest.raises(InvalidDataError) as refused:
        complete(session, user, item, pass_up("jd_police"))
    assert refused.value.details == {"pass_up_to": [message("field_agency_not_offered", value="jd_police")]}
    session.rollback()
    assert case.instance.status == "running"


def test_only_a_bureau_starts_a_guidance_request(session, ids, create_instance):  # noqa: ANN001
    with pytest.raises(PermissionDeniedError):
        create_instance("guidance_request", "sh_ipo_liaison")


def test_guidance_request_carries_internal_targets_and_notices():
    root = etree.parse(str(BPMN / "guidance_request" / "guidance_request.bpmn")).getroot()
    props = {n.get("id"): extension_properties(n) for n in root.iter() if n.get("id")}
    assert (props["task_review"]["deadline"], props["task_review"]["escalateTo"]) == \
        ("10 working days", "lane_higher:leader")
    assert (props["task_reply"]["extension"], props["task_reply"]["escalateTo"],
            props["task_reply"]["noticeKind"]) == ("10 working days", "lane_lower", "guidance_answered")
    assert props["event_reference_case"]["noticeKind"] == "reference_case"
    assert props["lane_higher"] == {"agencyType": "ip_office", "agencyFrom": "higher_office"}
