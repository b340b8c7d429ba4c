"""A mediator records the settlement agreement and prints the judicial-confirmation application package."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.browser.seed import mediation_at_settlement


def test_mediator_records_settlement_and_prints_package(live_app, new_page) -> None:  # noqa: ANN001
    instance_id = mediation_at_settlement(live_app, "嘉知调〔2026〕WEB1号")
    page = new_page()
    sign_in(page, "jd_mediator")
    page.wait_for_selector("[data-testid=mediations]")  # a mediator lands on the mediation list
    page.goto("/work-items")
    page.locator("tr[data-task=task_settlement]").get_by_role("button", name="认领").click()
    page.wait_for_selector("[data-testid=task-form]")
    page.fill("#f-agreement_no", "嘉知调协〔2026〕9号")
    # The parties open filled in from the registration (prefill): the mediator checks and corrects them.
    for i, (name, kind, number) in enumerate([("上海某科技有限公司", "legal_person", "91310114MA1G000000"),
                                              ("张三", "natural_person", "310114198001010011")]):
        assert page.input_value(f"#f-agreement_parties-{i}-name") == name
        assert page.input_value(f"#f-agreement_parties-{i}-party_type") == kind
        assert page.input_value(f"#f-agreement_parties-{i}-id_number") == number
        page.fill(f"#f-agreement_parties-{i}-contact", "021-59990000")
    assert page.locator("#f-agreement_parties-2-name").count() == 0
    page.fill("#f-facts_and_dispute", "被申请人销售侵犯注册商标专用权的商品")
    page.fill("#f-responsibilities", "被申请人承担侵权责任")
    page.fill("#f-terms-0-obligor", "张三")
    page.fill("#f-terms-0-obligation", "赔偿经济损失")
    page.fill("#f-terms-0-amount", "30000")
    page.fill("#f-terms-0-manner", "银行转账")
    page.fill("#f-terms-0-deadline", "2026-09-30")
    page.fill("#f-performance_deadline", "2026-09-30")
    page.fill("#f-agreement_effective_date", "2026-06-08")
    for field in ("all_parties_signed", "mediator_signed", "committee_sealed"):
        page.check(f"#f-{field}")
    page.get_by_role("button", name="提交").click()
    # The application for judicial confirmation is the mediator's next task: the page leads straight to it.
    page.wait_for_selector(f"[data-testid=work-item][data-task=task_apply][data-instance='{instance_id}']",
                           timeout=15000)
    assert page.locator(".flash.error").count() == 0

    page.goto(f"/mediation/{instance_id}")
    steps = page.locator("[data-testid=mediation-steps]").inner_text()
    assert "制作调解协议" in steps and "嘉知调协〔2026〕9号" in steps and "赔偿经济损失" in steps
    page.goto(f"/mediation/{instance_id}/package")
    package = page.locator("[data-testid=package]").inner_text()
    assert "记录调解会" in package and "嘉知调协〔2026〕9号" in package
    assert page.locator("[data-testid=addressee]").inner_text().split() == ["此致", "嘉定区人民法院"]
    assert "申请人1：姓名或者名称：上海某科技有限公司" in page.locator("[data-testid=applicants]").inner_text()
    assert "经嘉定区知识产权纠纷人民调解委员会主持调解达成的调解协议（编号：嘉知调协〔2026〕9号）有效" in \
        page.locator("[data-testid=request]").inner_text()
    signatures = page.locator("[data-testid=signatures] .signature").all_inner_texts()
    assert [s.split("：")[1].split()[0] for s in signatures] == ["上海某科技有限公司", "张三"]
    assert package.count("91310114MA1G000000") == 1  # each fact once: no data panel printed beside the records
