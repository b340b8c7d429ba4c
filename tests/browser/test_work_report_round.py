"""A reporting round in the browser: the office opens it for three bureaus, 嘉定 drafts (with the figures the
system filled in) and its leader approves, the office returns 长宁's report with remarks and 长宁 resubmits,
普陀 misses the date and is escalated; the round's page shows who submitted on time and who did not.
XIETONG_SCREENSHOTS=1 writes that page as docs/screenshots/work-report-round.png for the README."""

from __future__ import annotations

import io
import os
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.files import file_store
from tests.browser.conftest import ROOT, sign_in
from tests.helpers import sh
from workflows.clock import set_clock
from workflows.directory import entries as directory
from workflows.models import Agency, ProcessInstance, User, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.work.attachments import store_upload
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete


def _third_bureau(app: Any) -> None:
    """普陀 under the city office, with a liaison; and a leader for 长宁 (the demo has none)."""
    with app.app_context():
        if db.session.scalar(select(Agency.id).where(Agency.code == "pt_msa")) is None:
            directory.create_agency(db.session, None, code="pt_msa", name="普陀区市场监督管理局",
                                    type_code="market_supervision", jurisdiction="普陀区", level="district",
                                    parent_code="sh_ipo")
            directory.create_user(db.session, None, username="pt_msa_liaison", display_name="普陀联络员",
                                  agency_code="pt_msa", roles=["liaison"], password="secret-pass-1")
            directory.create_user(db.session, None, username="cn_msa_leader", display_name="长宁负责人",
                                  agency_code="cn_msa", roles=["leader"], password="secret-pass-1")
        db.session.commit()


def _act(app: Any, instance_id: int, task: str, agency: str, username: str, data: dict[str, Any]) -> None:
    """Claim and complete a bureau's open item through the services (the steps the browser does not show)."""
    with app.app_context():
        item = db.session.scalars(select(WorkItem).join(Agency, WorkItem.candidate_agency_id == Agency.id).where(
            WorkItem.instance_id == instance_id, WorkItem.task_name == task, Agency.code == agency,
            WorkItem.status.in_(ACTIVE_STATUSES))).one()
        actor = db.session.scalars(select(User).where(User.username == username)).one()
        claim(db.session, actor, item)
        if task == "task_draft":
            upload = store_upload(db.session, file_store(), actor, io.BytesIO(b"report"), "report.docx", None, item)
            data = {"summary": "上半年工作总结", "report_file": upload.describe(), **data}
        complete(db.session, actor, item, data)
        db.session.commit()


def test_a_reporting_round(live_app, new_page) -> None:  # noqa: ANN001
    _third_bureau(live_app)
    set_clock(lambda: sh(6, 1, 9))
    office = new_page()
    sign_in(office, "sh_ipo_liaison")
    office.goto("/instances/new?process=work_report")
    office.fill("#business_key", "沪知报〔2026〕1号")
    office.check("input[name=kind][value=half_year]")
    office.fill("#f-title", "2026年上半年知识产权保护工作总结")
    office.fill("#f-period", "2026-H1")
    office.fill("#f-due_date", "2026-06-10")
    offered = office.locator("input[name=bureaus]")
    assert sorted(offered.nth(i).get_attribute("value") for i in range(offered.count())) == \
        ["cn_msa", "jd_msa", "pt_msa"]  # the office's own bureaus, by name
    assert "嘉定区市场监督管理局" in office.locator("[data-field=bureaus]").inner_text()
    for code in ("jd_msa", "cn_msa", "pt_msa"):
        office.check(f"input[name=bureaus][value={code}]")
    office.get_by_role("button", name="发起").click()
    office.wait_for_selector("[data-testid=agency-progress]")
    with live_app.app_context():
        instance_id = db.session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.business_key == "沪知报〔2026〕1号")).one()
    progress = office.locator("[data-testid=agency-progress] tbody tr")
    assert progress.count() == 3 and all(progress.nth(i).get_attribute("data-state") == "open" for i in range(3))

    # 嘉定's liaison drafts: the figures are filled in by the system; the report text is attached.
    set_clock(lambda: sh(6, 3, 10))
    liaison = new_page()
    sign_in(liaison, "jd_msa_liaison")
    liaison.locator("tr[data-task='task_draft']", has_text="沪知报").get_by_role("button", name="认领").click()
    figures = liaison.locator("[data-testid=prefilled] [data-prefill=figures]")
    assert "2026-H1" in figures.inner_text() and figures.locator("tr[data-figure=items_completed]").count() == 1
    liaison.fill("#f-summary", "嘉定区上半年查处侵权假冒案件情况")
    liaison.set_input_files("#f-report_file", files=[{"name": "嘉定总结.docx", "mimeType": "application/msword",
                                                      "buffer": "嘉定区工作总结".encode()}])
    liaison.get_by_role("button", name="提交").click()
    liaison.wait_for_selector("[data-testid=queue]")
    leader = new_page()
    sign_in(leader, "jd_msa_leader")
    leader.locator("tr[data-task='task_approve']", has_text="沪知报").get_by_role("button", name="认领").click()
    leader.check("input[name=approval][value=approve]")
    leader.get_by_role("button", name="提交").click()
    leader.wait_for_selector("[data-testid=queue]")

    # 长宁 submits; the office returns it with remarks; 长宁 revises and resubmits before the date.
    _act(live_app, instance_id, "task_draft", "cn_msa", "cn_msa_liaison", {})
    _act(live_app, instance_id, "task_approve", "cn_msa", "cn_msa_leader", {"approval": "approve"})
    set_clock(lambda: sh(6, 5, 10))
    sign_in(office, "sh_ipo_liaison")  # page sessions lapse while the clock moves on by days
    office.locator("tr[data-task='task_review']", has_text="长宁区").get_by_role("button", name="认领").click()
    office.check("input[name=review][value=return]")
    office.fill("#f-review_remarks", "缺少案件数据分析")
    office.get_by_role("button", name="提交").click()
    # 嘉定's report waits for the same review in the same round: the office is led straight to it.
    office.wait_for_selector(f"[data-testid=work-item][data-task=task_review][data-instance='{instance_id}']")
    assert "嘉定区" in office.locator("h1").inner_text() + office.locator(".meta").first.inner_text()
    _act(live_app, instance_id, "task_draft", "cn_msa", "cn_msa_liaison", {"revision_note": "已补充"})
    _act(live_app, instance_id, "task_approve", "cn_msa", "cn_msa_leader", {"approval": "approve"})

    # 普陀 does nothing: after 24:00 of 10 June the timer worker escalates it to the office.
    set_clock(lambda: sh(6, 11, 0, 30))
    with live_app.app_context():
        fire_due_timers(db.session)
    sign_in(office, "sh_ipo_liaison")
    office.goto(f"/instances/{instance_id}")
    rows = office.locator("[data-testid=agency-progress] tbody tr")
    states = {rows.nth(i).get_attribute("data-agency"): rows.nth(i).get_attribute("data-state") for i in range(3)}
    assert states == {"jd_msa": "on_time", "cn_msa": "on_time", "pt_msa": "overdue"}
    assert "未完成，已超期" in office.locator("tr[data-agency=pt_msa]").inner_text()
    if os.environ.get("XIETONG_SCREENSHOTS") == "1":
        office.locator("[data-testid=agency-progress]").scroll_into_view_if_needed()
        office.screenshot(path=str(ROOT / "docs/screenshots/work-report-round.png"))
    office.goto("/work-items?view=overdue")
    assert office.locator("tr[data-task='task_draft']", has_text="沪知报").count() == 1
