"""Every path of assistance_request driven through the services, with exact due times (DOMAIN.md §2, §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import test_leads_paths
from tests.helpers import Case, end_of, sh
from tests.test_leads_paths import (  # the original module's fixtures and helpers
    _tasks,
)
from workflows.errors import InvalidDataError, PermissionDeniedError
from workflows.messages import message

ids = test_leads_paths.ids  # the original module's fixture, under its name

# --- assistance_request --------------------------------------------------------------------------

REQUEST = {"request_no": "沪嘉市监协〔2026〕3号", "case_no": "沪嘉市监立〔2026〕12号", "assisting_agency": "ks_msa",
           "subjects": [{"name": "昆山某鞋业有限公司"}], "matters": ["核实该公司2025年以来的生产记录", "调取销售台账"],
           "background": "嘉定查获的假冒运动鞋标注由昆山某鞋业有限公司生产", "contact": "王敏 021-00000000"}
ASSISTED = {"findings": [{"matter": "生产记录", "finding": "2025年以来生产同款运动鞋5000双"}],
            "evidence_collected": ["生产记录复印件"], "reply_letter_no": "昆市监协复〔2026〕1号",
            "reply_date": "2026-03-06"}


def assistance(session, ids, start, data=None):  # noqa: ANN001, ANN201
    case = Case(session, ids, start, "JD-ASSIST-3", process="assistance_request")
    case.step("task_request", "jd_msa_liaison", data or REQUEST, at=start + timedelta(hours=1))
    return case


def test_assistance_completed_over_spring_festival(session, ids):  # noqa: ANN001
    case = assistance(session, ids, sh(2, 10, 9))  # Tuesday
    # approve (from Tue Feb 10): 11, 12, 13.
    case.step("task_approve", "jd_msa_leader", {"approval": "approve"}, role="leader", due=end_of(2, 13),
              at=sh(2, 12, 9))
    # receive (from Thu Feb 12): 13, Sat 14 make-up, [15-23 off], Tue 24.
    case.step("task_receive", "ks_msa_liaison", {"assistance_receipt": "accept", "received_date": "2026-02-12"},
              agency="ks_msa", due=end_of(2, 24), at=sh(2, 13, 10))
    # investigate: 15 working days from the receipt on Thu Feb 12: 13, 14, 24, 25, 26, 27, Sat 28, Mar 2-6 (12),
    # 9, 10, 11.
    case.step("task_investigate", "ks_msa_liaison", ASSISTED, agency="ks_msa", due=end_of(3, 11), at=sh(3, 6, 10))
    # acknowledge (from Fri Mar 6): 9, 10, 11, 12, 13.
    case.step("task_acknowledge", "jd_msa_liaison", {"acknowledged_on": "2026-03-09"}, due=end_of(3, 13),
              at=sh(3, 9, 10))
    case.finish("end_completed")
    assert case.participants() == {"jd_msa": "initiator", "ks_msa": "work_item"}


def test_assistance_declined_over_national_day(session, ids):  # noqa: ANN001
    case = assistance(session, ids, sh(9, 28, 9))  # Monday
    # approve (from Mon Sep 28): 29, 30, Oct 8.
    case.step("task_approve", "jd_msa_leader", {"approval": "approve"}, role="leader", due=end_of(10, 8),
              at=sh(9, 30, 9))
    # receive (from Wed Sep 30): Oct 8, 9, Sat Oct 10 make-up.
    case.step("task_receive", "ks_msa_liaison", {"assistance_receipt": "cannot_assist", "received_date": "2026-09-30",
                                                 "cannot_assist_reason": "该公司已注销"},
              agency="ks_msa", due=end_of(10, 10), at=sh(10, 9, 10))
    case.finish("end_declined")


def test_assistance_refused_over_dragon_boat_festival(session, ids):  # noqa: ANN001
    case = assistance(session, ids, sh(6, 17, 9))  # Wednesday
    # approve (from Wed Jun 17): 18, [Fri 19 Dragon Boat, 20, 21], 22, 23.
    case.step("task_approve", "jd_msa_leader", {"approval": "refuse", "refusal_reason": "本机关可自行调查"},
              role="leader", due=end_of(6, 23), at=sh(6, 18, 9))
    case.finish("end_refused")


def test_assistance_to_an_unsuitable_agency_is_refused_at_the_field(session, ids):  # noqa: ANN001
    # The field offers market supervision bureaus only (x-agencies): a police code never reaches the lane.
    with pytest.raises(InvalidDataError) as refused:
        assistance(session, ids, sh(3, 2, 9), {**REQUEST, "assisting_agency": "jd_police"})
    assert refused.value.details == {"assisting_agency": [message("field_agency_not_offered", value="jd_police")]}


def test_assistance_carries_escalation_and_extension():
    props, _ = _tasks("assistance_request")
    assert {k: props["task_investigate"][k] for k in ("deadline", "deadlineFrom", "extension", "escalateTo",
                                                      "noticeKind")} == {
        "deadline": "15 working days", "deadlineFrom": "received_date", "extension": "15 working days",
        "escalateTo": "lane_origin", "noticeKind": "feedback_arrived"}


def test_only_market_supervision_starts_either_process(session, ids, create_instance):  # noqa: ANN001
    for key in ("lead_transfer", "assistance_request"):
        with pytest.raises(PermissionDeniedError):
            create_instance(key, "jd_tax_liaison")
