"""Choosing a process with a start form shows its fields, keeps what was typed, and starts the case."""

from __future__ import annotations

from app.extensions import db
from tests.browser.conftest import sign_in
from tests.test_start_data import WINDOW, WINDOW_FORMS
from workflows.deployment.deploy import deploy


def test_choosing_a_process_shows_its_start_form_and_starts_the_case(live_app, new_page) -> None:  # noqa: ANN001
    with live_app.app_context():
        deploy(db.session, WINDOW, WINDOW_FORMS, None)
        db.session.commit()
    leader = new_page()
    sign_in(leader, "jd_msa_leader")
    leader.goto("/instances/new?process=case_transfer")
    assert leader.locator("[name=effective_date]").count() == 0
    leader.fill("#business_key", "WIN-BROWSER-1")
    leader.select_option("#process_key", "timer_window")  # the page reloads with the process's start form
    leader.wait_for_selector("[name=effective_date]")
    assert leader.input_value("#business_key") == "WIN-BROWSER-1"

    leader.fill("[name=case_no]", "JD-调-B1")
    leader.get_by_role("button", name="发起").click()  # no date yet: refused at its field
    assert leader.locator("[data-error-for=effective_date]").inner_text() == "此项为必填项。"
    assert leader.input_value("[name=case_no]") == "JD-调-B1"

    leader.fill("[name=effective_date]", "2026-01-20")
    leader.get_by_role("button", name="发起").click()
    leader.wait_for_url("**/work-items/*")
    assert "申请司法确认" in leader.locator("h1").inner_text()
