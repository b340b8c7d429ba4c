"""A liaison works a case in the browser: claim, errors at the fields, submit, the next agency sees it."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import sign_in
from tests.browser.seed import case_at_transfer, open_case


def _row(page: Any, business_key: str, task: str) -> Any:
    """The queue row of a case's task."""
    return page.locator(f"tr[data-task='{task}']", has_text=business_key)


def test_liaison_claims_fixes_errors_and_hands_over_to_police(live_app, new_page) -> None:  # noqa: ANN001
    case_at_transfer(live_app, "JD-WEB-001")
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    assert "嘉定区市场监督管理局" in page.locator("[data-testid=current-agency]").inner_text()
    assert "联络员" in page.locator("[data-testid=current-roles]").inner_text()
    row = _row(page, "JD-WEB-001", "task_transfer")
    row.get_by_role("button", name="认领").click()
    page.wait_for_selector("[data-testid=task-form]")

    page.get_by_role("button", name="提交").click()  # nothing filled in
    page.wait_for_selector(".field-error")
    assert page.locator("[data-error-for=transfer_letter_no]").inner_text().endswith("此项为必填项。")
    assert page.locator("[data-error-for=transfer_documents]").count() == 1
    assert page.locator(".field.has-error[data-field=transfer_letter_no]").count() == 1

    page.fill("#f-transfer_letter_no", "沪嘉市监移〔2026〕1号")
    for label in ("涉嫌犯罪案件移送书", "涉嫌犯罪案件调查报告", "涉案物品清单"):
        page.get_by_label(label, exact=True).check()
    page.locator("[data-field=copied_to_procuratorate] input[type=checkbox]").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("[data-testid=queue]")
    assert _row(page, "JD-WEB-001", "task_transfer").count() == 0

    police = new_page()
    sign_in(police, "jd_police_liaison")
    accept = _row(police, "JD-WEB-001", "task_accept")
    assert accept.count() == 1
    assert "接收移送案件" in accept.inner_text()


def test_register_form_repeating_rows_and_typed_fields(live_app, new_page) -> None:  # noqa: ANN001
    open_case(live_app, "JD-WEB-002")
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    _row(page, "JD-WEB-002", "task_register").get_by_role("button", name="认领").click()
    page.fill("#f-admin_case_no", "沪嘉市监案〔2026〕202号")
    page.fill("#f-illegal_business_volume", "abc")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector(".field-error")
    assert "请输入数字" in page.locator("[data-error-for=illegal_business_volume]").inner_text()
    assert page.locator("#f-admin_case_no").input_value() == "沪嘉市监案〔2026〕202号"  # kept

    page.fill("#f-illegal_business_volume", "86000")
    page.fill("#f-illegal_gains", "12000.5")
    page.fill("#f-suspected_offence", "假冒注册商标罪")
    page.select_option("#f-ip_type", "trademark")
    page.fill("#f-parties-0-name", "上海某贸易有限公司")
    page.select_option("#f-parties-0-party_type", "legal_person")
    page.locator(".add-row[data-for=parties]").click()
    page.fill("#f-parties-1-name", "张三")
    page.select_option("#f-parties-1-party_type", "natural_person")
    page.fill("#f-evidence_list-0-name", "现场检查笔录")
    page.fill("#f-evidence_list-0-pages", "3")
    page.get_by_role("button", name="提交").click()
    # The special team's verification is the same liaison's next task: the page leads straight to it.
    page.wait_for_selector("[data-testid=work-item][data-task=task_verify]")
    assert page.locator(".flash.success").count() == 1

    page.goto("/instances?business_key=JD-WEB-002")
    page.get_by_role("link", name="JD-WEB-002").click()
    data = page.locator("[data-testid=case-data]").inner_text()
    assert "张三" in data and "法人" in data and "现场检查笔录" in data
