"""Periods of months (N个月), counted as the law counts a month: DOMAIN.md §2, 民法典 第201-203条.

A period of N months ends at 24:00 of the day of the N-th month after the trigger that bears the
trigger day's number; where that month has no such day, of its last day; a rest day or holiday
rolls on to the next working day. 2026 facts from chinese-calendar 1.11.0: Spring Festival off
Feb 15-23, make-up working days Sat Feb 14 and Sat Feb 28; National Day off Oct 1-7.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.wording import period_forms, period_text
from tests.helpers import end_of, sh
from tests.test_timers import TIMERS, WINDOW_FORMS, fire_at
from tests.test_web_pages import csrf_token, sign_in
from workflows.clock import set_clock
from workflows.deadlines.calendar import SHANGHAI, HolidayCalendar, compute_due
from workflows.deadlines.due_times import reminder_for, timer_deadline
from workflows.deadlines.periods import Period, PeriodError, Unit, parse_period
from workflows.deployment.deploy import DiagramInvalidError, deploy, validate_diagram
from workflows.models import User
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.instances import instance_work_items, start_instance

WINDOW = (TIMERS / "window.bpmn").read_text(encoding="utf-8")
AGENCY_TYPES = {"market_supervision", "court"}


@pytest.mark.parametrize(("text", "amount"), [
    ("1 month", 1), ("6 months", 6), ("1 Month", 1), ("12months", 12), ("6个月", 6), ("６个月", 6), ("1 个月", 1)])
def test_months_parse(text: str, amount: int) -> None:
    assert parse_period(text) == Period(amount, Unit.MONTHS)


@pytest.mark.parametrize("text", ["1 mnth", "3月", "1.5 months", "-1 months", "months", "1 mo"])
def test_other_month_spellings_are_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="'N months'"):  # the hint names the unit
        parse_period(text)


def test_zero_months_is_refused() -> None:
    with pytest.raises(PeriodError, match="must be at least 1"):
        parse_period("0 months")


def test_months_print_as_they_parse_and_have_no_clock_length() -> None:
    assert (str(Period(1, Unit.MONTHS)), str(Period(6, Unit.MONTHS))) == ("1 month", "6 months")
    assert Period(1, Unit.MONTHS).length() is None and Period(1, Unit.MONTHS).needs_calendar


@pytest.mark.parametrize(("trigger", "period", "last_day", "provisional"), [
    (date(2026, 4, 10), "1 month", date(2026, 5, 11), False),  # May 10 is a Sunday: Monday (DOMAIN.md §2)
    (date(2026, 8, 31), "3 months", date(2026, 11, 30), False),  # November has no 31st: its last day, a Monday
    (date(2026, 1, 31), "1 month", date(2026, 2, 28), False),  # Sat Feb 28 is a make-up working day: no roll
    (date(2026, 3, 31), "6 months", date(2026, 9, 30), False),  # September's last day, a Wednesday
    (date(2023, 2, 28), "1 month", date(2023, 3, 28), False),  # the same number, not the month's end
    (date(2024, 1, 31), "1 month", date(2024, 2, 29), False),  # leap year: Thu Feb 29
    (date(2024, 2, 29), "12 months", date(2025, 2, 28), False),  # from a leap day: Fri Feb 28
    (date(2025, 12, 31), "1 month", date(2026, 2, 2), False),  # across the year: Sat Jan 31, Sun, so Mon Feb 2
    (date(2025, 11, 30), "2 months", date(2026, 1, 30), False),  # across the year: Fri Jan 30
    (date(2026, 9, 1), "1 month", date(2026, 10, 8), False),  # Oct 1 is National Day: off to Wed Oct 7
    (date(2026, 1, 17), "1个月", date(2026, 2, 24), False),  # Feb 17 is in the Spring Festival: Tue Feb 24
    (date(2026, 12, 31), "1 month", date(2027, 2, 1), True),  # Sun Jan 31 2027: weekends only, provisional
    (date(2028, 1, 31), "1 month", date(2028, 2, 29), True),  # leap year nobody has published yet
])
def test_months_end_on_the_corresponding_day(trigger: date, period: str, last_day: date, provisional: bool) -> None:
    due = compute_due(datetime.combine(trigger, datetime.min.time(), SHANGHAI).replace(hour=10),
                      parse_period(period))
    assert (due.at, due.provisional) == (end_of(last_day.month, last_day.day, last_day.year), provisional)


def test_the_trigger_day_is_the_shanghai_date() -> None:
    late_utc = datetime.fromisoformat("2026-01-30T20:00:00+00:00")  # Sat Jan 31 04:00 in Shanghai
    assert compute_due(late_utc, parse_period("1 month")).at == end_of(2, 28)


def test_an_admin_holiday_on_the_last_day_rolls_it() -> None:
    calendar = HolidayCalendar(days={date(2026, 2, 28): False})  # the make-up Saturday taken back
    assert compute_due(sh(1, 31, 10), parse_period("1 month"), calendar).at == end_of(3, 2)


def test_timer_expressions_count_months_and_reminders_need_a_clock_length() -> None:
    assert datetime.fromisoformat(timer_deadline(HolidayCalendar)("1 month", "2026-04-10")) == end_of(5, 11)
    due = end_of(5, 11)
    assert reminder_for(due, sh(4, 10), Period(1, Unit.MONTHS)) == due - timedelta(days=1)  # the default


# --- deployment, a work item, an extension ------------------------------------------------------------

def _window(deadline: str = "30 days", extension: str = "10 days", remind: str = "3 days") -> bytes:
    """The window test diagram with other periods."""
    return (WINDOW.replace('name="deadline" value="30 days"', f'name="deadline" value="{deadline}"')
            .replace('name="extension" value="10 days"', f'name="extension" value="{extension}"')
            .replace('name="remindBefore" value="3 days"', f'name="remindBefore" value="{remind}"')).encode()


def _problems(xml: bytes) -> list[str]:
    """The validator's messages for a diagram (none: it deploys)."""
    try:
        validate_diagram(xml, WINDOW_FORMS, AGENCY_TYPES)
    except DiagramInvalidError as err:
        return [e["message"] for e in err.details]
    return []


def test_the_validator_accepts_months_where_a_period_may_be() -> None:
    assert _problems(_window("6 months", "1 month", "3 days")) == []
    assert _problems(_window("6个月", "3 months", "2 days")) == []


def test_the_validator_refuses_bad_months() -> None:
    hint = "use 'N days', 'N working days', 'N hours' or 'N months'"
    assert _problems(_window("0 months")) == [f"deadline '0 months' must be at least 1; {hint}"]
    assert _problems(_window("1 mnth")) == [f"unrecognised deadline '1 mnth'; {hint}"]
    assert _problems(_window(extension="1 mnth")) == [f"extension: unrecognised deadline '1 mnth'; {hint}"]
    # A reminder is a clock length before the due time; a month has none.
    assert _problems(_window(remind="1 month")) == ["remindBefore '1 month' must be in hours or days"]


def test_periods_read_in_the_page_language(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert (period_text(Period(1, Unit.MONTHS)), period_forms()) == \
            ("1 month", "'N days', 'N working days', 'N hours', or 'N months'")
    with app.test_request_context("/"):
        assert [period_text(Period(6, Unit.MONTHS)), period_text(Period(15, Unit.WORKING_DAYS))] == \
            ["6个月", "15个工作日"]


def _validate(client: FlaskClient, xml: bytes, forms: dict[str, bytes]) -> dict:
    """POST a diagram to the modeler's validation endpoint; its JSON answer."""
    response = client.post("/admin/processes/validate", headers={"X-CSRFToken": csrf_token(client, "/admin/modeler")},
                           json={"xml": xml.decode(), "forms": {k: v.decode() for k, v in forms.items()}})
    assert response.status_code == 422
    return response.get_json()


def test_the_modeler_shows_the_month_problems_in_chinese(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    messages = {e["message"] for e in _validate(client, _window("1 mnth", remind="1 month"), WINDOW_FORMS)["errors"]}
    assert messages == {"无法识别期限 '1 mnth'；请写作“N日”、“N个工作日”、“N小时”或“N个月”。",
                        "remindBefore 的值“1 month”须以小时或日计。"}


@pytest.fixture
def month_window(session, demo):  # noqa: ANN001, ANN201
    """The window diagram with `1 month` to apply and `1 month` more on extension, from Sat Jan 31."""
    deploy(session, _window("1 month", "1 month"), WINDOW_FORMS, None)
    session.commit()
    leader = session.get(User, demo["jd_msa_leader"])
    set_clock(lambda: sh(2, 2, 10))
    instance = start_instance(session, leader, "timer_window", data={"effective_date": "2026-01-31",
                                                                      "case_no": "JD-调-9"})
    session.commit()
    return instance, instance_work_items(session, instance, active_only=True)[0], leader


def test_a_month_deadline_gives_the_work_item_its_due_time(session, month_window) -> None:  # noqa: ANN001
    instance, item, leader = month_window
    # 1 month from Sat Jan 31: February has no 31st, so its last day, Sat Feb 28, a make-up working day.
    assert (item.deadline, item.due_at, item.due_provisional) == ("1 month", end_of(2, 28), False)
    assert item.remind_at == end_of(2, 28) - timedelta(days=3)
    set_clock(lambda: sh(2, 27, 9))
    extend_deadline(session, leader, item, "当事人申请延期")
    session.commit()
    # 1 month on from Feb 28 (the last day of the period): Sat Mar 28, a rest day, so Mon Mar 30.
    assert (item.due_at, item.original_due_at) == (end_of(3, 30), end_of(2, 28))
    assert fire_at(session, end_of(2, 28) + timedelta(hours=1)) == 0  # the window timer moved too
    fire_at(session, end_of(3, 30) + timedelta(seconds=1))
    assert (instance.status, item.status) == ("completed", "cancelled")


def test_the_item_page_and_the_api_show_the_month(client: FlaskClient, auth, month_window) -> None:  # noqa: ANN001
    _, item, _ = month_window
    admin, leader = auth.headers("admin"), auth.headers("jd_msa_leader")  # tokens first: a page session wants CSRF
    task = client.get("/api/v1/process-definitions/timer_window", headers=admin).get_json()[0]["tasks"][0]
    assert (task["deadline"], task["extension"]) == ("1 month", "1 month")
    body = client.get(f"/api/v1/work-items/{item.id}", headers=leader).get_json()
    assert (body["deadline"], body["due_at"]) == ("1 month", "2026-02-28T16:00:00+00:00")
    sign_in(client, "jd_msa_leader")
    assert "延长 1个月 的理由" in client.get(f"/work-items/{item.id}").get_data(as_text=True)
