"""The admin's directory forms (agency types, agencies, users) and the holiday calendar, in the browser."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from tests.browser.conftest import sign_in
from workflows.deadlines.calendar import SHANGHAI, Due, compute_due
from workflows.deadlines.due_times import load_calendar
from workflows.deadlines.periods import parse_period

PASSWORD = "customs-pass-2026"


def _card(page: Any, heading: str) -> Any:
    """The form card under a heading."""
    return page.locator("section.card", has=page.get_by_role("heading", name=heading, exact=True))


def _flash(page: Any, kind: str = "success") -> str:
    """The message shown after a form was sent."""
    return page.locator(f".flash.{kind}").inner_text()


def test_admin_creates_a_type_an_agency_and_a_user_who_signs_in(new_page) -> None:  # noqa: ANN001
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/agencies")
    new_type = _card(admin, "添加单位类型")
    new_type.locator("input[name=code]").fill("customs")
    new_type.locator("input[name=name]").fill("海关")
    new_type.locator("input[name=description]").fill("查验进出口货物")
    new_type.get_by_role("button", name="创建").click()
    assert _flash(admin) == "单位类型 customs 已创建。"
    assert admin.locator("table tr", has_text="customs").filter(has_text="查验进出口货物").count() == 1

    again = _card(admin, "添加单位类型")  # a code is unique: the second one is refused, the first kept
    again.locator("input[name=code]").fill("customs")
    again.locator("input[name=name]").fill("另一个海关")
    again.get_by_role("button", name="创建").click()
    assert "customs" in _flash(admin, "error")
    assert admin.locator("table tr", has_text="另一个海关").count() == 0

    agency = _card(admin, "添加单位")
    agency.locator("input[name=code]").fill("jd_customs")
    agency.locator("input[name=name]").fill("嘉定海关")
    agency.locator("select[name=type]").select_option("customs")  # the new type is offered at once
    agency.locator("input[name=jurisdiction]").fill("嘉定区")
    agency.locator("select[name=level]").select_option("district")
    agency.get_by_role("button", name="创建").click()
    assert _flash(admin) == "单位 嘉定海关 已创建。"
    row = admin.locator("table tr", has_text="jd_customs").inner_text()
    assert "嘉定海关" in row and "海关" in row and "嘉定区" in row

    admin.goto("/admin/users")
    user = _card(admin, "添加用户")
    user.locator("input[name=username]").fill("jd_customs_liaison")
    user.locator("input[name=display_name]").fill("赵关员")
    user.locator("select[name=agency]").select_option("jd_customs")
    user.get_by_label("联络员", exact=True).check()
    user.locator("input[name=password]").fill(PASSWORD)
    user.get_by_role("button", name="创建").click()
    assert _flash(admin) == "用户 jd_customs_liaison 已创建。"
    assert "嘉定海关" in admin.locator("table tr", has_text="jd_customs_liaison").inner_text()

    admin.goto("/admin/modeler")  # lanes may name the new agency type
    assert '"customs"' in admin.locator("#modeler-config").text_content()

    officer = new_page()
    sign_in(officer, "jd_customs_liaison", PASSWORD)
    assert officer.locator("[data-testid=current-agency]").inner_text() == "嘉定海关"
    assert "联络员" in officer.locator("[data-testid=current-roles]").inner_text()


def _end_of(day: date) -> datetime:
    """24:00 of a Shanghai day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=SHANGHAI)


def _one_working_day_from(live_app: Any, day: date) -> Due:  # noqa: ANN401
    """When a period of one working day triggered on day runs out, under the stored calendar."""
    from app.extensions import db

    with live_app.app_context():
        calendar = load_calendar(db.session)
    return compute_due(datetime.combine(day, time(10), tzinfo=SHANGHAI), parse_period("1 working days"), calendar)


def test_admin_enters_a_holiday_in_a_year_without_builtin_data(live_app, new_page) -> None:  # noqa: ANN001
    eve, holiday = date(2031, 9, 30), date(2031, 10, 1)  # a Tuesday and a Wednesday
    before = _one_working_day_from(live_app, eve)
    assert (before.at, before.provisional) == (_end_of(holiday), True)  # weekends only: a guess

    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/calendar")
    covered = re.search(r"(\d{4})[–-](\d{4})", admin.locator("p.hint").first.inner_text())
    assert covered and int(covered.group(2)) < 2031

    day = _card(admin, "录入日期")
    day.locator("input[name=day]").fill(holiday.isoformat())
    day.locator("select[name=kind]").select_option("holiday")
    day.locator("input[name=note]").fill("国庆节")
    day.get_by_role("button", name="保存").click()
    assert _flash(admin) == "2031-10-01 已保存。"
    assert "节假日" in admin.locator("table tr", has_text="2031-10-01").filter(has_text="国庆节").inner_text()

    year = _card(admin, "标记年份为已录入")
    year.locator("input[name=year]").fill("2031")
    year.get_by_label("已录入").check()
    year.get_by_role("button", name="保存").click()
    assert _flash(admin) == "2031 年已保存。"
    assert admin.locator("li", has_text="2031 — 已录入").count() == 1

    # Deadlines now skip the holiday, and the year's are no longer provisional.
    after = _one_working_day_from(live_app, eve)
    assert (after.at, after.provisional) == (_end_of(date(2031, 10, 2)), False)
