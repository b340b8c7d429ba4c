"""A reporting round of bpmn/work_report end to end on a fake clock (issue 15 item 3).

上海市知识产权局 asks three bureaus for their 2026-H1 summary by 10 June: 嘉定 reports on time, 长宁 is
returned by the office and resubmits, 普陀 misses the date, is escalated to the office by the timer worker,
and reports late. Each bureau's item is resolved from the element of the multi-instance sub-process
(`agencyFrom = bureau`), is due at 24:00 of 10 June (`deadlineDate = due_date`), and its draft form holds
the bureau's statistics for the period, filled in by the system (`prefill = figures = statistics(period)`).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import end_of, sh
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import Notice, User, WorkItem, WorkItemSupervision
from workflows.statistics.periods import named_period
from workflows.statistics.report import statistics
from workflows.work.attachments import FileStore, store_upload
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.progress import agency_progress
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete

STATISTICS = Path(__file__).parent / "data" / "statistics"
DUE = end_of(6, 10)  # 24:00 of 10 June in China
OPEN = {"kind": "half_year", "title": "2026年上半年知识产权保护工作总结", "period": "2026-H1",
        "due_date": "2026-06-10", "bureaus": ["jd_msa", "cn_msa", "pt_msa"]}


class Round:
    """The round's instance, stepped by users at clock instants."""

    def __init__(self, session, store: FileStore) -> None:  # noqa: ANN001
        self.session, self.store = session, store
        self.at(sh(6, 1, 9))
        self.instance = start_instance(session, self.user("sh_ipo_liaison"), "work_report", data=dict(OPEN))
        session.commit()
        assert self.instance.status == "running", self.instance.error_reason

    def user(self, name: str) -> User:
        return self.session.scalars(select(User).where(User.username == name)).one()

    @staticmethod
    def at(moment: datetime) -> None:
        set_clock(lambda: moment)

    def open_item(self, task: str, agency: str, about: str = "") -> WorkItem:
        items = [i for i in instance_work_items(self.session, self.instance, active_only=True)
                 if i.task_name == task and i.candidate_agency.code == agency and about in i.title]
        assert len(items) == 1, [(i.task_name, i.candidate_agency.code) for i in
                                 instance_work_items(self.session, self.instance, active_only=True)]
        return items[0]

    def do(self, task: str, agency: str, username: str, at: datetime, about: str = "", **data: object) -> WorkItem:
        item = self.open_item(task, agency, about)
        self.at(at)
        actor = self.user(username)
        claim(self.session, actor, item)
        if task == "task_draft":
            upload = store_upload(self.session, self.store, actor, io.BytesIO(f"{agency} 工作总结".encode()),
                                  f"{agency}-总结.docx", "application/msword", item=item)
            data = {"summary": f"{agency}上半年工作总结", "report_file": upload.describe(), **data}
        complete(self.session, actor, item, data)
        self.session.commit()
        assert self.instance.status in ("running", "completed"), self.instance.error_reason
        return item

    def submit(self, agency: str, leader: str, drafted: datetime, approved: datetime) -> None:
        self.do("task_draft", agency, f"{agency}_liaison", drafted)
        self.do("task_approve", agency, leader, approved, approval="approve")


@pytest.fixture
def bureaus(session, shipped, create_agency, create_user) -> None:  # noqa: ANN001
    """A third bureau under the city office, and leaders for the bureaus the demo gives none."""
    create_agency("pt_msa", "普陀区市场监督管理局", jurisdiction="普陀区", parent_code="sh_ipo")
    create_user("pt_msa_liaison", "pt_msa")
    create_user("pt_msa_leader", "pt_msa", ("leader",))
    create_user("cn_msa_leader", "cn_msa", ("leader",))
    forms = {f.name: f.read_bytes() for f in STATISTICS.glob("*.json")}
    deploy(session, (STATISTICS / "lead_check.bpmn").read_bytes(), forms, None)
    session.commit()


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "attachments", 1_000_000)


def _earlier_work(session) -> None:  # noqa: ANN001
    """嘉定 registers a lead in March, so its figures for the half-year are not all zero."""
    set_clock(lambda: sh(3, 2, 9))
    liaison = session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
    case = start_instance(session, liaison, "lead_check", data={})
    set_clock(lambda: sh(3, 3, 10))
    item = session.scalars(select(WorkItem).where(WorkItem.instance_id == case.id)).one()
    claim(session, liaison, item)
    complete(session, liaison, item, {})
    session.commit()


def test_a_round_with_one_bureau_on_time_one_returned_and_one_escalated(session, bureaus, store) -> None:  # noqa: ANN001
    _earlier_work(session)
    r = Round(session, store)
    drafts = {i.candidate_agency.code: i for i in instance_work_items(session, r.instance, active_only=True)}
    assert sorted(drafts) == ["cn_msa", "jd_msa", "pt_msa"]  # one item per element of the list
    for item in drafts.values():
        assert (item.task_name, item.required_role, item.due_at, item.deadline) == \
            ("task_draft", "liaison", DUE, "2026-06-10")
        assert item.due_at == datetime(2026, 6, 11, tzinfo=sh(1, 1).tzinfo)
        assert item.remind_at == sh(6, 10)  # a day before, as for any deadline
    # The draft holds the bureau's statistics for the period, as the statistics service counts them.
    office = r.user("sh_ipo_liaison")
    counted = statistics(session, office, named_period("2026-H1"), agency="jd_msa").agencies[0]
    figures = drafts["jd_msa"].prefilled["figures"]
    assert figures["agency"] == "jd_msa" and figures["period"] == "2026-H1"
    assert (figures["cases_started"], figures["items_completed"], figures["items_with_deadline"],
            figures["items_on_time"], figures["items_late"]) == \
        (counted.started, counted.work.completed, counted.work.with_deadline, counted.work.on_time, counted.work.late)
    assert (figures["cases_started"], figures["items_completed"]) == (1, 1)
    assert drafts["pt_msa"].prefilled["figures"]["items_completed"] == 0

    # 嘉定: drafted, approved, accepted.
    r.submit("jd_msa", "jd_msa_leader", sh(6, 3, 10), sh(6, 4, 10))
    review = r.open_item("task_review", "sh_ipo")
    assert (review.required_role, review.title) == ("liaison", "审阅工作报告（嘉定区市场监督管理局）")
    r.do("task_review", "sh_ipo", "sh_ipo_liaison", sh(6, 5, 9), review="accept")
    # 长宁: submitted, returned with remarks, revised, re-approved.
    r.submit("cn_msa", "cn_msa_leader", sh(6, 3, 11), sh(6, 4, 11))
    r.do("task_review", "sh_ipo", "sh_ipo_liaison", sh(6, 5, 10), review="return", review_remarks="缺少案件数据分析")
    redraft = r.open_item("task_draft", "cn_msa")
    assert (redraft.created_at, redraft.due_at) == (sh(6, 5, 10), DUE)  # the same date holds for the revision
    r.do("task_draft", "cn_msa", "cn_msa_liaison", sh(6, 8, 10), revision_note="已补充案件数据分析")
    r.do("task_approve", "cn_msa", "cn_msa_leader", sh(6, 9, 10), approval="approve")

    # 普陀 does nothing: reminded on 10 June, escalated to the office after 24:00.
    r.at(sh(6, 10, 8))
    fire_due_timers(session)
    missed = r.open_item("task_draft", "pt_msa")
    assert missed.reminded_at == sh(6, 10, 8) and missed.overdue_at is None
    r.at(DUE)
    fire_due_timers(session)
    assert missed.overdue_at is None  # 24:00 itself is still in time
    r.at(sh(6, 11, 0, 30))
    fire_due_timers(session)
    session.refresh(missed)
    assert missed.overdue_at == sh(6, 11, 0, 30)
    supervised = session.scalars(select(WorkItemSupervision.agency_id).where(
        WorkItemSupervision.work_item_id == missed.id)).all()
    assert supervised == [missed.instance.initiating_agency_id]  # 上海市知识产权局, the office that opened the round
    notices = session.scalars(select(Notice).where(Notice.work_item_id == missed.id, Notice.kind == "deadline_missed"))
    assert sorted(n.agency.code for n in notices) == ["pt_msa", "sh_ipo"]

    # The round's page: who submitted on time, late, or not at all.
    rows = {row.agency.code: row for row in agency_progress(session, r.instance)}
    assert [(code, rows[code].state) for code in sorted(rows)] == \
        [("cn_msa", "on_time"), ("jd_msa", "on_time"), ("pt_msa", "overdue")]
    assert rows["jd_msa"].item.task_name == "task_approve" and rows["pt_msa"].item.task_name == "task_draft"

    # 普陀 reports late; the office accepts 长宁's revision and 普陀's report, then closes the round.
    r.submit("pt_msa", "pt_msa_leader", sh(6, 15, 10), sh(6, 16, 10))
    rows = {row.agency.code: row.state for row in agency_progress(session, r.instance)}
    assert rows == {"jd_msa": "on_time", "cn_msa": "on_time", "pt_msa": "late"}
    r.do("task_review", "sh_ipo", "sh_ipo_liaison", sh(6, 17, 9), "长宁", review="accept")
    r.do("task_review", "sh_ipo", "sh_ipo_liaison", sh(6, 17, 10), "普陀", review="accept")
    r.do("task_close", "sh_ipo", "sh_ipo_liaison", sh(6, 18, 9), round_summary="三个单位均已报送")
    assert r.instance.status == "completed" and r.instance.outcome == "round_closed"
    reports = r.instance.state["xietong_data"]["reports"]
    assert sorted(report["bureau"] for report in reports) == ["cn_msa", "jd_msa", "pt_msa"]
    assert all(report["report_file"]["filename"].endswith("总结.docx") for report in reports)

    # The performance review's indicator 工作报告按期报送 (kpi on the draft): each bureau's drafts on time and late.
    review = statistics(session, r.user("sh_ipo_liaison"), named_period("2026-06"), process="work_report")
    drafts = {a.code: a.kpis["work_report"] for a in review.agencies if "work_report" in a.kpis}
    assert {code: (k.completed, k.on_time, k.late) for code, k in drafts.items()} == \
        {"jd_msa": (1, 1, 0), "cn_msa": (2, 2, 0), "pt_msa": (1, 0, 1)}
