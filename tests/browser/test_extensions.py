"""A police leader extends a decision deadline (延长) on the work item page; the new and the original due time show."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.browser.conftest import sign_in
from tests.browser.seed import case_at_decision

REASON = "案情重大复杂，需进一步审查"
APPROVER = "县级公安机关负责人 陈刚"


def _due(page: Any) -> str:
    """The due time in the item's header, as shown."""
    return page.locator(".page-head .meta .due").inner_text()


def _at(text: str) -> datetime:
    """A shown due time as a wall-clock time (the end of a day reads 24:00)."""
    day, clock = text.split()
    if clock == "24:00":
        return datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def test_leader_extends_the_deadline_and_the_original_stays_visible(live_app, new_page) -> None:  # noqa: ANN001
    case_at_decision(live_app, "JD-EXT-001")
    leader = new_page()
    sign_in(leader, "jd_police_leader")
    row = leader.locator("tr[data-task='task_decide']", has_text="JD-EXT-001")
    row.get_by_role("link", name="立案审查决定").click()
    item_url = leader.url
    before = _due(leader)
    assert leader.locator("[data-testid=extensions]").inner_text().count("原定期限") == 0

    liaison = new_page()  # the decision is a leader's: a liaison of the same agency is not offered the extension
    sign_in(liaison, "jd_police_liaison")
    liaison.goto(item_url)
    assert _due(liaison) == before
    assert liaison.locator("[data-testid=extensions] form").count() == 0

    form = leader.locator("[data-testid=extensions] form")
    assert "延长 27日 的理由" in form.inner_text()  # the period in the page language
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("input[name=approved_by]").fill(APPROVER)
    form.get_by_role("button", name="延长期限").click()
    leader.wait_for_selector(".flash.success")
    assert "期限已延长" in leader.locator(".flash.success").inner_text()
    after = _due(leader)
    # 27 days counted on from the old due time, rolled over to a working day if it ends on a rest day.
    assert timedelta(days=27) <= _at(after) - _at(before) <= timedelta(days=37)
    panel = leader.locator("[data-testid=extensions]").inner_text()
    assert f"原定期限: {before}" in panel.replace("：", ": ")
    assert f"由 {before} 延长至 {after}" in panel
    assert APPROVER in panel and REASON in panel

    # The diagram allows one extension: the form is gone (the service refuses a second one, tested there).
    assert form.count() == 0
    assert _due(leader) == after
    assert leader.locator("[data-testid=extensions]").inner_text().count("延长至") == 1

    liaison.reload()  # the agency's other users see the new due time; the leaders' queue shows it
    assert _due(liaison) == after
    leader.goto("/work-items")
    assert after in leader.locator("tr[data-task='task_decide']", has_text="JD-EXT-001").inner_text()
