"""Demo cases: running instances of every shipped process, left in telling states, so the system looks alive.

Each scenario is data: the process, who starts it and when (days before now), its start data, and the ordered
steps (task id, acting user, form data, hours after the previous step). `load_demo_cases` plays every scenario
through the services with the clock set back to each step's instant, so due times, reminders and overdue marks
are those of a case really worked at those times; then it restores the real clock and runs one timer pass, so
what is late today is marked overdue and escalated now.

Dates inside form data are written relative to the instant a step is completed (the instance's start for the
start data): a string "{day}" becomes that Shanghai calendar date (YYYY-MM-DD), "{day-3}" the date 3 days
before it, "{day+30}" the date 30 days after it. Deadlines counted from a date field (mediation_start_date,
agreement_effective_date, received_date, filing_decision_date, acceptance_date, ...) so stay relative to today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.calendar import SHANGHAI
from workflows.clock import now, set_clock
from workflows.instances import instance_work_items, start_instance
from workflows.models import ProcessInstance, User
from workflows.progress import RUNNING
from workflows.work_items import claim, complete
from workflows.worker import fire_due_timers

# --- form data shared by several scenarios (as in the path tests) ---------------------------------------

CASE_REGISTER = {
    "admin_case_no": "沪嘉市监案〔2026〕101号", "case_summary": "销售假冒注册商标的运动鞋",
    "parties": [{"name": "上海某贸易有限公司", "party_type": "legal_person"}], "ip_type": "trademark",
    "suspected_offence": "销售假冒注册商标的商品罪", "illegal_business_volume": 86000, "illegal_gains": 12000,
    "evidence_list": [{"name": "现场检查笔录"}],
}
CASE_VERIFY = {"special_team_officers": ["王敏", "李强"], "transfer_report": "经核实，非法经营数额达到追诉标准。"}
CASE_APPROVE = {"approval": "approve", "approval_comment": "同意移送"}
CASE_TRANSFER = {"transfer_letter_no": "沪嘉市监移〔2026〕1号", "copied_to_procuratorate": True,
                 "transfer_documents": ["transfer_letter", "investigation_report", "seized_items_list"]}
CASE_ACCEPT = {"acceptance": "accept", "receipt_no": "回执〔2026〕1号"}
CASE_DECLINE = {"filing_decision": "decline", "decline_reason": "情节显著轻微",
                "decline_notice_no": "嘉公不立〔2026〕1号"}

COMPANY = {"name": "上海某科技有限公司", "party_type": "legal_person", "id_number": "91310114MA1G000000",
           "contact": "021-59990000"}
PERSON = {"name": "张三", "party_type": "natural_person", "id_number": "310114198001010011", "contact": "13800000000"}
MED_REGISTER = {"dispute_no": "嘉知调〔2026〕1号", "applicants": [COMPANY], "respondents": [PERSON],
                "ip_type": "trademark", "ip_registration_no": "第12345678号",
                "facts": "被申请人在网店销售带有申请人注册商标的运动鞋", "claims": "停止销售并赔偿损失",
                "claim_amount": 50000, "source": "party_application"}
MED_ACCEPT = {"mediation_acceptance": "accept", "assigned_mediator": "吴芳", "mediation_start_date": "{day}"}
MED_SESSION = {"session_date": "{day}", "session_form": "in_person", "attendees": ["张三", "申请人代理人"],
               "session_summary": "双方陈述意见", "session_outcome": "continue"}
MED_SETTLED = {**MED_SESSION, "session_summary": "双方就赔偿数额达成一致", "session_outcome": "settled"}
MED_SETTLEMENT = {"agreement_no": "嘉知调协〔2026〕1号", "agreement_parties": [COMPANY, PERSON],
                  "facts_and_dispute": "被申请人销售侵犯注册商标专用权的商品",
                  "responsibilities": "被申请人承担侵权责任",
                  "terms": [{"obligor": "张三", "obligation": "赔偿经济损失", "amount": 30000, "manner": "银行转账",
                             "deadline": "{day+60}"}],
                  "performance_deadline": "{day+60}", "all_parties_signed": True, "mediator_signed": True,
                  "committee_sealed": True, "agreement_effective_date": "{day}"}
MED_APPLY = {"application_date": "{day}", "joint_application": True, "doc_application": True,
             "doc_agreement": True, "doc_mediation_proof": True, "doc_party_identity": True,
             "party_contacts": [COMPANY, PERSON], "property_right_involved": False, "agent_appointed": True,
             "agent_name": "李律师", "doc_power_of_attorney": True, "agreement_confirms_ip_right": False}
MED_COURT_ACCEPT = {"court_acceptance": "accept", "confirmation_case_no": "（2026）沪0114民特调确1号",
                    "acceptance_date": "{day}"}

LEAD_REGISTER = {
    "lead_no": "沪嘉市监线〔2026〕7号", "source": "report", "received_on": "{day-1}",
    "subjects": [{"name": "昆山某鞋业有限公司", "subject_type": "legal_person"}], "ip_type": "trademark",
    "suspected_violation": "生产假冒注册商标的运动鞋",
    "facts": "举报人反映昆山某鞋业有限公司生产假冒运动鞋并在嘉定销售",
    "evidence": [{"name": "举报材料"}, {"name": "网络销售页面截图"}],
    "target_type": "market_supervision", "target_agency": "ks_msa",
    "jurisdiction_basis": "生产地在昆山市，违法行为发生地由昆山市市场监督管理局管辖",
    "reporter_real_name": True, "reporter_name": "张某", "reporter_contact": "13800000000",
}
LEAD_APPROVE = {"approval": "approve", "letter_no": "沪嘉市监移函〔2026〕7号"}

# --- the scenarios -------------------------------------------------------------------------------------
# Each: key (business key), process, starter, title, days_ago (start), data (start data),
# steps: (task id, username, form data, hours after the previous step, or after the start for the first).

SCENARIOS: list[dict[str, Any]] = [
    {"key": "DEMO-CT-OVERDUE", "process": "case_transfer", "starter": "jd_msa_liaison",
     "title": "涉嫌销售假冒注册商标的商品罪移送（公安立案决定已超期）", "days_ago": 16, "data": {},
     "steps": [
         ("task_register", "jd_msa_liaison", {**CASE_REGISTER, "admin_case_no": "沪嘉市监案〔2026〕201号"}, 1),
         ("task_verify", "jd_msa_liaison", CASE_VERIFY, 5),
         ("task_approve", "jd_msa_leader", CASE_APPROVE, 18),
         ("task_transfer", "jd_msa_liaison", {**CASE_TRANSFER, "transfer_letter_no": "沪嘉市监移〔2026〕21号"}, 5),
         ("task_accept", "jd_police_liaison", CASE_ACCEPT, 18),
     ]},
    {"key": "DEMO-CT-NEW", "process": "case_transfer", "starter": "jd_msa_liaison",
     "title": "涉嫌假冒专利罪移送（待局领导审批）", "days_ago": 0.25, "data": {},
     "steps": [
         ("task_register", "jd_msa_liaison",
          {**CASE_REGISTER, "admin_case_no": "沪嘉市监案〔2026〕202号", "case_summary": "销售假冒专利标识的电动工具",
           "ip_type": "patent", "suspected_offence": "假冒专利罪"}, 1),
         ("task_verify", "jd_msa_liaison", CASE_VERIFY, 2),
     ]},
    {"key": "DEMO-CT-DECLINED", "process": "case_transfer", "starter": "jd_msa_liaison",
     "title": "涉嫌销售侵权复制品罪移送（公安不予立案，待市监局决定是否申请复议）", "days_ago": 3, "data": {},
     "steps": [
         ("task_register", "jd_msa_liaison", {**CASE_REGISTER, "admin_case_no": "沪嘉市监案〔2026〕203号"}, 1),
         ("task_verify", "jd_msa_liaison", CASE_VERIFY, 3),
         ("task_approve", "jd_msa_leader", CASE_APPROVE, 16),
         ("task_transfer", "jd_msa_liaison", {**CASE_TRANSFER, "transfer_letter_no": "沪嘉市监移〔2026〕23号"}, 3),
         ("task_accept", "jd_police_liaison", CASE_ACCEPT, 18),
         ("task_decide", "jd_police_leader", CASE_DECLINE, 6),
     ]},
    {"key": "DEMO-MC-REVIEW", "process": "mediation_confirmation", "starter": "jd_mediator",
     "title": "商标侵权纠纷调解协议司法确认（待法官审查）", "days_ago": 12, "data": {},
     "steps": [
         ("task_register", "jd_mediator", {**MED_REGISTER, "dispute_no": "嘉知调〔2026〕31号"}, 1),
         ("task_accept", "jd_mediation_leader", MED_ACCEPT, 5),
         ("task_session", "jd_mediator", MED_SETTLED, 72),
         ("task_settlement", "jd_mediator", {**MED_SETTLEMENT, "agreement_no": "嘉知调协〔2026〕31号"}, 24),
         ("task_apply", "jd_mediator", MED_APPLY, 48),
         ("task_court_accept", "jd_court_clerk", MED_COURT_ACCEPT, 48),
     ]},
    {"key": "DEMO-MC-SESSIONS", "process": "mediation_confirmation", "starter": "jd_mediator",
     "title": "专利侵权纠纷调解（调解进行中）", "days_ago": 8, "data": {},
     "steps": [
         ("task_register", "jd_mediator",
          {**MED_REGISTER, "dispute_no": "嘉知调〔2026〕32号", "ip_type": "patent",
           "ip_registration_no": "ZL202110000000.1", "facts": "被申请人销售的电动工具落入申请人专利保护范围"}, 1),
         ("task_accept", "jd_mediation_leader", MED_ACCEPT, 20),
         ("task_session", "jd_mediator", MED_SESSION, 72),
         ("task_session", "jd_mediator", MED_SESSION, 48),
     ]},
    {"key": "DEMO-MC-SETTLED", "process": "mediation_confirmation", "starter": "jd_mediator",
     "title": "商标侵权纠纷调解（已达成协议，待申请司法确认）", "days_ago": 14, "data": {},
     "steps": [
         ("task_register", "jd_mediator", {**MED_REGISTER, "dispute_no": "嘉知调〔2026〕33号"}, 1),
         ("task_accept", "jd_mediation_leader", MED_ACCEPT, 20),
         ("task_session", "jd_mediator", MED_SETTLED, 96),
         ("task_settlement", "jd_mediator", {**MED_SETTLEMENT, "agreement_no": "嘉知调协〔2026〕33号"}, 72),
     ]},
    {"key": "DEMO-LEAD-FEEDBACK", "process": "lead_transfer", "starter": "jd_msa_liaison",
     "title": "昆山某鞋业生产假冒运动鞋线索（已立案查处，待反馈）", "days_ago": 40, "data": {},
     "steps": [
         ("task_register", "jd_msa_liaison", LEAD_REGISTER, 1),
         ("task_approve", "jd_msa_leader", LEAD_APPROVE, 20),
         ("task_receive", "ks_msa_liaison", {"receipt": "accept", "received_date": "{day}"}, 24),
         ("task_verify", "ks_msa_liaison",
          {"verification_findings": "现场检查发现假冒运动鞋1200双", "filing_decision": "file", "approved_by": "曹静",
           "case_no": "昆市监立〔2026〕31号", "filing_decision_date": "{day}"}, 168),
         ("task_tell_reporter", "jd_msa_liaison",
          {"told_on": "{day}", "told_by": "phone", "told_content": "已告知立案情况"}, 24),
         ("task_investigate", "ks_msa_liaison",
          {"investigation_outcome": "penalty", "decision_no": "昆市监罚〔2026〕58号", "decision_date": "{day}",
           "fine_amount": 150000, "confiscated_gains": 32000, "investigation_summary": "没收侵权商品并处罚款"}, 696),
     ]},
    {"key": "DEMO-LEAD-RECEIVE", "process": "lead_transfer", "starter": "jd_msa_liaison",
     "title": "太仓仓储假冒箱包线索（待昆山市监局接收）", "days_ago": 1, "data": {},
     "steps": [
         ("task_register", "jd_msa_liaison",
          {**LEAD_REGISTER, "lead_no": "沪嘉市监线〔2026〕8号", "source": "complaint",
           "suspected_violation": "生产假冒注册商标的箱包"}, 1),
         ("task_approve", "jd_msa_leader", {**LEAD_APPROVE, "letter_no": "沪嘉市监移函〔2026〕8号"}, 4),
     ]},
    {"key": "DEMO-ASSIST", "process": "assistance_request", "starter": "jd_msa_liaison",
     "title": "请求昆山市监局协助调查生产记录（协查中）", "days_ago": 9, "data": {},
     "steps": [
         ("task_request", "jd_msa_liaison",
          {"request_no": "沪嘉市监协〔2026〕3号", "case_no": "沪嘉市监立〔2026〕12号", "assisting_agency": "ks_msa",
           "subjects": [{"name": "昆山某鞋业有限公司"}], "matters": ["核实该公司2025年以来的生产记录", "调取销售台账"],
           "background": "嘉定查获的假冒运动鞋标注由昆山某鞋业有限公司生产", "contact": "王敏 021-00000000"}, 1),
         ("task_approve", "jd_msa_leader", {"approval": "approve"}, 20),
         ("task_receive", "ks_msa_liaison", {"assistance_receipt": "accept", "received_date": "{day}"}, 24),
     ]},
    {"key": "DEMO-GUIDANCE", "process": "guidance_request", "starter": "jd_msa_liaison",
     "title": "关于销售者合法来源抗辩认定问题的请示（待市知识产权局审查）", "days_ago": 2, "data": {},
     "steps": [
         ("task_draft", "jd_msa_liaison",
          {"request_title": "关于销售者合法来源抗辩认定问题的请示", "request_no": "沪嘉市监〔2026〕请1号",
           "case_no": "沪嘉市监立〔2026〕21号", "question_type": "application_of_law",
           "facts": "当事人销售假冒注册商标的箱包，提供了进货票据但价格明显低于市场价",
           "legal_question": "进货价格明显偏低时能否认定合法来源",
           "own_analysis": "价格明显偏低，不能认定为不知道是侵权商品",
           "proposed_handling": "不予认定合法来源，依法处罚",
           "attachments": [{"name": "进货票据", "pages": 3}]}, 1),
         ("task_approve", "jd_msa_leader", {"approval": "approve", "approval_comment": "同意报送"}, 20),
     ]},
]


# --- the driver ----------------------------------------------------------------------------------------

class DemoCaseError(RuntimeError):
    """A scenario could not be played (its data no longer fits the diagram)."""


@dataclass
class DemoCaseResult:
    """Where one scenario was left."""

    key: str
    process: str
    instance: ProcessInstance
    waiting: list[tuple[str, str]]  # (task id, candidate agency code) of the active items
    overdue: bool


_DAY = re.compile(r"^\{day(?:([+-])(\d+))?\}$")


def resolve_dates(value: Any, at: datetime) -> Any:
    """Replace "{day}", "{day-N}", "{day+N}" strings (at any depth) by Shanghai dates relative to `at`."""
    if isinstance(value, dict):
        return {k: resolve_dates(v, at) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_dates(v, at) for v in value]
    if isinstance(value, str) and (match := _DAY.match(value)):
        sign, days = match.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return (at.astimezone(SHANGHAI).date() + timedelta(days=offset)).isoformat()
    return value


def _user(session: Session, username: str, scenario: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise DemoCaseError(f"demo case {scenario}: no user '{username}'")
    return user


def _set_instant(at: datetime) -> None:
    set_clock(lambda: at)


def play(session: Session, scenario: dict[str, Any], real_now: datetime) -> ProcessInstance:
    """Start one scenario's instance in the past and complete its steps at their instants."""
    name = scenario["key"]
    at = real_now - timedelta(days=scenario["days_ago"])
    _set_instant(at)
    instance = start_instance(session, _user(session, scenario["starter"], name), scenario["process"],
                              data=resolve_dates(scenario.get("data") or {}, at), business_key=scenario["key"],
                              title=scenario.get("title"))
    for number, (task, username, data, hours) in enumerate(scenario["steps"], start=1):
        where = f"demo case {name} step {number} ({task})"
        if instance.status != RUNNING:
            raise DemoCaseError(f"{where}: instance is {instance.status}: {instance.error_reason}")
        at += timedelta(hours=hours)
        if at > real_now:
            raise DemoCaseError(f"{where}: falls after now; start the scenario earlier")
        items = [i for i in instance_work_items(session, instance, active_only=True) if i.task_name == task]
        if not items:
            waiting = [i.task_name for i in instance_work_items(session, instance, active_only=True)]
            raise DemoCaseError(f"{where}: no active work item for it (waiting: {waiting})")
        _set_instant(at)
        actor = _user(session, username, name)
        claim(session, actor, items[0])
        complete(session, actor, items[0], resolve_dates(data, at))
        session.flush()
    if instance.status != RUNNING:
        raise DemoCaseError(f"demo case {name}: instance is {instance.status}: {instance.error_reason}")
    return instance


def load_demo_cases(session: Session, scenarios: list[dict[str, Any]] | None = None) -> list[DemoCaseResult]:
    """Play the scenarios (default: SCENARIOS), commit, then run one timer pass at the real now.

    Needs the demo directory and the shipped processes (app.demo.load_demo). Always restores the real clock.
    """
    real_now = now()
    instances = []
    try:
        for scenario in scenarios if scenarios is not None else SCENARIOS:
            instances.append((scenario, play(session, scenario, real_now)))
            session.commit()
    finally:
        set_clock(None)
    fire_due_timers(session)
    results = []
    for scenario, instance in instances:
        session.refresh(instance)
        if instance.status == "error":
            raise DemoCaseError(f"demo case {scenario['key']}: instance in error: {instance.error_reason}")
        items = instance_work_items(session, instance, active_only=True)
        results.append(DemoCaseResult(
            key=scenario["key"], process=scenario["process"], instance=instance,
            waiting=[(i.task_name, i.candidate_agency.code) for i in items],
            overdue=any(i.overdue_at is not None for i in items)))
    return results
