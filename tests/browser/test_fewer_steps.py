"""Fewer steps in the browser (issue 16 item 4): a start lands on its claimed task, conditional fields show when
they apply, an agency is picked by name, a draft comes back, and a supervising agency sends a reminder."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.seed import ProcessInstance, _step, case_at_transfer
from tests.test_case_transfer_paths import TRANSFER
from workflows.clock import now, set_clock
from workflows.models import WorkItem
from workflows.work.timer_worker import fire_due_timers


def _at_acceptance(app, key: str) -> int:  # noqa: ANN001
    """A case transferred to 嘉定 police; returns the id of its acceptance item."""
    instance_id = case_at_transfer(app, key)
    with app.app_context():
        _step(db.session.get(ProcessInstance, instance_id), "jd_msa_liaison", TRANSFER)
        return db.session.query(WorkItem.id).filter_by(instance_id=instance_id, task_name="task_accept").scalar()


def test_a_started_case_opens_on_its_first_task_claimed(live_app, new_page) -> None:  # noqa: ANN001
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    page.get_by_test_id("nav-new-case").click()
    page.wait_for_selector("#process_key")
    if page.input_value("#process_key") != "case_transfer":
        page.select_option("#process_key", "case_transfer")  # the page reloads with that process chosen
        page.wait_for_url("**process=case_transfer**")
    page.fill("#business_key", "JD-FEW-B1")
    page.get_by_role("button", name="发起").click()
    page.wait_for_selector("[data-testid=work-item][data-task=task_register]")
    assert page.locator("[data-testid=item-status]").inner_text() == "已认领"
    assert page.locator("[data-testid=task-form]").is_visible()  # no claim step before the form


def test_the_forward_reason_shows_only_when_forwarding_and_the_agency_is_a_list(live_app, new_page) -> None:  # noqa: ANN001
    item = _at_acceptance(live_app, "JD-FEW-B2")
    page = new_page()
    sign_in(page, "jd_police_liaison")
    page.goto(f"/work-items/{item}")
    page.get_by_role("button", name="认领").click()
    page.wait_for_selector("[data-testid=task-form]")
    reason, agency = page.locator("[data-field=forward_reason]"), page.locator("[data-field=police_agency]")
    assert not reason.is_visible() and not agency.is_visible()
    page.check("input[name=acceptance][value=forward]")
    assert reason.is_visible() and agency.is_visible()
    options = page.locator("#f-police_agency option").all_inner_texts()
    assert "上海市公安局长宁分局" in options and not any("检察院" in o or "市场监督" in o for o in options)
    page.fill("#f-forward_reason", "涉案地在长宁区")
    page.check("input[name=acceptance][value=accept]")  # changed the mind: the reason goes away again
    assert not reason.is_visible() and page.locator("#f-forward_reason").is_disabled()
    page.fill("#f-receipt_no", "嘉公回〔2026〕7号")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector(".flash.success")
    with live_app.app_context():
        submitted = db.session.get(WorkItem, item).submitted_data
    assert submitted == {"acceptance": "accept", "receipt_no": "嘉公回〔2026〕7号"}  # the hidden reason was not sent


def test_a_saved_draft_is_there_when_the_task_opens_again(live_app, new_page) -> None:  # noqa: ANN001
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    page.goto("/instances/new?process=case_transfer")
    page.fill("#business_key", "JD-FEW-B3")
    page.get_by_role("button", name="发起").click()
    page.wait_for_selector("[data-testid=task-form]")
    url = page.url
    page.fill("#f-admin_case_no", "沪嘉市监案〔2026〕303号")
    page.fill("#f-illegal_business_volume", "not yet")  # a draft is not checked
    page.get_by_test_id("save-draft").click()
    page.wait_for_selector("[data-testid=draft-saved]")
    assert page.locator(".field-error").count() == 0
    page.goto("/work-items")
    page.goto(url)
    assert page.input_value("#f-admin_case_no") == "沪嘉市监案〔2026〕303号"
    assert page.input_value("#f-illegal_business_volume") == "not yet"


def test_the_supervising_agency_sees_why_and_sends_a_reminder_once(live_app, new_page) -> None:  # noqa: ANN001
    item = _at_acceptance(live_app, "JD-FEW-B4")
    moment = now() + timedelta(days=2)
    set_clock(lambda: moment)
    with live_app.app_context():
        fire_due_timers(db.session)
        db.session.commit()
        instance_id = db.session.get(WorkItem, item).instance_id
    page = new_page()
    sign_in(page, "jd_procurator")
    page.goto(f"/instances/{instance_id}")
    card = page.locator(f"[data-testid=supervision][data-item='{item}']")
    assert "上海市公安局嘉定分局" in card.inner_text() and "已超期" in card.inner_text()
    card.get_by_test_id("send-reminder").click()
    page.wait_for_selector(".flash.success")
    assert "已向上海市公安局嘉定分局发出催办" in page.locator(".flash.success").inner_text()
    page.locator(f"[data-testid=supervision][data-item='{item}']").get_by_test_id("send-reminder").click()
    page.wait_for_selector(".flash.error")
    assert "今日已催办" in page.locator(".flash.error").inner_text()
    police = new_page()
    sign_in(police, "jd_police_liaison")
    police.goto("/notices")
    assert "督办机关催办" in police.content()


def test_a_supervisor_lands_on_the_dashboard_and_sees_no_new_case(live_app, new_page) -> None:  # noqa: ANN001
    page = new_page()
    sign_in(page, "jd_supervisor")
    page.wait_for_url("**/dashboard")
    assert page.get_by_test_id("nav-new-case").count() == 0  # a leading group office starts no process
