"""Due times on the pages: the end of a day shown as 24:00 with what is left or how late; a late extension refused
by default, allowed where the diagram says so and then shown as late, counted and still supervised (issue 16 item 2)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from app.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.seed import case_at_decision
from tests.helpers import allow_late_extension
from workflows.clock import now, set_clock
from workflows.deployment.deploy import deploy
from workflows.work.timer_worker import fire_due_timers

ROOT = Path(__file__).resolve().parents[2]


def _open_decision(page: Any, key: str) -> None:
    sign_in(page, "jd_police_leader")
    page.locator("tr[data-task='task_decide']", has_text=key).get_by_role("link", name="立案审查决定").click()


def _later(app: Flask, days: int) -> None:
    """Move the shared clock on and let the timer worker act (the overdue mark, escalation)."""
    moment = now() + timedelta(days=days)
    set_clock(lambda: moment)
    with app.app_context():
        fire_due_timers(db.session)
        db.session.commit()


def test_a_due_time_shows_its_day_at_24_00_and_what_is_left(live_app, new_page) -> None:  # noqa: ANN001
    case_at_decision(live_app, "JD-DUE-001")
    leader = new_page()
    _open_decision(leader, "JD-DUE-001")
    head = leader.locator(".page-head .meta").inner_text()
    assert re.search(r"\d{4}-\d\d-\d\d 24:00", head), head  # a 3-day period ends at the end of a day
    left = leader.locator(".page-head [data-testid=due-left]")
    assert re.fullmatch(r"剩余 \d+ 天|今日届满", left.inner_text()) and left.get_attribute("data-late") == "false"
    english = new_page("en-US")
    sign_in(english, "jd_police_leader")
    english.goto(f"/language/en?next={leader.url.split('://', 1)[1].split('/', 1)[1]}")
    english.goto(leader.url)
    text = english.locator(".page-head [data-testid=due-left]").inner_text()
    assert re.fullmatch(r"\d+ days? left|ends today", text), text
    amount = int(english.locator(".page-head [data-testid=due-left]").get_attribute("data-amount"))
    assert text == ("ends today" if amount == 0 else f"{amount} day{'s' if amount != 1 else ''} left")

    _later(live_app, 40)  # long missed: the page says by how much, and that no late extension is possible
    item_url = leader.url
    sign_in(leader, "jd_police_leader")  # the page session did not last the 40 days
    leader.goto(item_url)
    assert re.fullmatch(r"已超期 \d+ 天", leader.locator(".page-head [data-testid=due-left]").inner_text())
    assert leader.locator("[data-testid=no-late-extension]").is_visible()
    assert leader.locator("[data-testid=extensions] form").count() == 0


def test_a_late_extension_where_the_diagram_allows_it(live_app, new_page) -> None:  # noqa: ANN001
    with live_app.app_context():
        allow_late_extension(db.session)
    try:
        case_at_decision(live_app, "JD-DUE-002")
        _later(live_app, 10)  # missed by days; the 27 days of the extension reach past the clock
        leader = new_page()
        _open_decision(leader, "JD-DUE-002")
        item_url = leader.url
        assert leader.locator("[data-testid=late-extension-note]").is_visible()  # the page says it is allowed
        form = leader.locator("[data-testid=extensions] form")
        form.locator("textarea[name=reason]").fill("案情重大复杂")
        form.get_by_role("button", name="延长期限").click()
        leader.wait_for_selector(".flash.success")
        panel = leader.locator("[data-testid=extensions]").inner_text()
        assert "期限届满后才登记（已超期" in panel and "未在期限" in panel  # the extension is shown late
        assert leader.locator(".page-head [data-testid=missed]").inner_text() == "超期后延长"

        procurator = new_page()  # the supervising procuratorate still sees it among the overdue
        sign_in(procurator, "jd_procurator")
        procurator.goto("/work-items?view=overdue")
        assert procurator.locator("tr", has_text="JD-DUE-002").count() == 1

        supervisor = new_page()  # the dashboard counts it apart
        sign_in(supervisor, "jd_supervisor")
        supervisor.goto("/dashboard")
        assert int(supervisor.locator("[data-testid=extended-late]").get_attribute("data-count")) >= 1
        police = supervisor.locator("[data-testid=per-agency] tr[data-key=jd_police] [data-col=extended-late]")
        assert int(police.inner_text()) >= 1
        assert leader.url == item_url
    finally:
        with live_app.app_context():  # the shipped diagram again for the other tests
            folder = ROOT / "bpmn" / "case_transfer"
            deploy(db.session, (folder / "case_transfer.bpmn").read_bytes(),
                   {f.name: f.read_bytes() for f in folder.glob("*.json")}, None)
            db.session.commit()


def test_the_police_are_told_when_a_transfer_arrives(live_app, new_page) -> None:  # noqa: ANN001
    case_at_decision(live_app, "JD-DUE-003")
    liaison = new_page()
    sign_in(liaison, "jd_police_liaison")
    liaison.goto("/notices")
    assert liaison.locator("li, tr", has_text="JD-DUE-003").filter(has_text="新任务").count() >= 1
