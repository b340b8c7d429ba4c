"""1366x768 screenshots of the main pages; XIETONG_SCREENSHOTS=1 writes them to docs/screenshots for the README."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, sign_in
from tests.browser.seed import case_at_decision, case_at_transfer, mediation_agreed, open_case
from workflows.clock import now, set_clock


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go."""
    return ROOT / "docs/screenshots" if os.environ.get("XIETONG_SCREENSHOTS") == "1" else tmp_path


def test_screenshots_of_the_main_pages(live_app, new_page, shots: Path) -> None:  # noqa: ANN001
    instance_id = case_at_transfer(live_app, "JD-2026-088")
    for n in range(3):
        open_case(live_app, f"JD-2026-09{n}")
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    page.goto("/work-items")
    page.screenshot(path=str(shots / "queue.png"))

    page.locator("tr", has_text="JD-2026-090").get_by_role("button", name="认领").click()
    page.get_by_role("button", name="提交").click()  # empty: errors at the fields
    page.wait_for_selector(".field-error")
    page.screenshot(path=str(shots / "work-item.png"))

    page.goto(f"/instances/{instance_id}")
    page.wait_for_selector("[data-testid=diagram][data-rendered=true]")
    assert page.locator("[data-element-id=task_transfer].state-active").count() == 1
    assert page.locator("[data-element-id=task_register].state-completed").count() == 1
    page.screenshot(path=str(shots / "instance.png"))

    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/processes/case_transfer/modeler")
    admin.wait_for_selector("[data-testid=modeler-canvas][data-rendered=true]")
    admin.locator("[data-element-id=task_approve] .djs-hit").first.click()
    admin.wait_for_selector("[data-testid=properties-panel][data-element=task_approve] [data-entry-id=role]")
    admin.screenshot(path=str(shots / "modeler.png"))

    later = now() + timedelta(days=2)
    set_clock(lambda: later)  # the server shares the clock: some deadlines have now passed
    try:
        supervisor = new_page()
        sign_in(supervisor, "jd_supervisor")
        supervisor.goto("/dashboard")
        assert int(supervisor.locator("[data-bucket=overdue]").get_attribute("data-count")) >= 1
        supervisor.screenshot(path=str(shots / "dashboard.png"))
    finally:
        set_clock(None)
    for name in ("queue", "work-item", "instance", "modeler", "dashboard"):
        assert (shots / f"{name}.png").stat().st_size > 10_000


def test_screenshots_of_sign_in_notices_and_mediation(live_app, new_page, shots: Path) -> None:  # noqa: ANN001
    """The other pages a newcomer meets: signing in, the notices, a mediation record and its confirmation package."""
    case_at_decision(live_app, "JD-2026-077")  # the police got the transfer, the procuratorate its copy
    mediation_id = mediation_agreed(live_app, "嘉知调〔2026〕SHOT1号")
    page = new_page()
    page.goto("/login")
    page.fill("#username", "jd_police_liaison")
    page.screenshot(path=str(shots / "sign-in.png"))

    sign_in(page, "jd_police_liaison")
    page.goto("/notices")
    assert page.locator("li[data-notice]").count() >= 1
    page.screenshot(path=str(shots / "notices.png"))

    mediator = new_page()
    sign_in(mediator, "jd_mediator")
    mediator.goto(f"/mediation/{mediation_id}")
    assert "制作调解协议" in mediator.locator("[data-testid=mediation-steps]").inner_text()
    mediator.screenshot(path=str(shots / "mediation.png"))
    mediator.goto(f"/mediation/{mediation_id}/package")
    assert mediator.locator("[data-testid=addressee]").inner_text().split() == ["此致", "嘉定区人民法院"]
    mediator.screenshot(path=str(shots / "confirmation-package.png"))
    for name in ("sign-in", "notices", "mediation", "confirmation-package"):
        assert (shots / f"{name}.png").stat().st_size > 10_000


def test_every_page_switches_to_english(new_page) -> None:  # noqa: ANN001
    page = new_page(locale="en-US")
    sign_in(page, "jd_msa_liaison")
    assert "待办工作" in page.locator("h1").inner_text()  # Chinese by default, whatever the browser says
    page.get_by_role("link", name="English").click()
    for path in ("/work-items", "/instances", "/instances/new", "/notices"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert "Work queue" in page.locator(".mainnav").inner_text()
    page.get_by_role("link", name="中文").click()
    assert "待办工作" in page.locator(".mainnav").inner_text()
