"""Period parsing and due-date arithmetic against DOMAIN.md §2 and chinese-calendar's 2026 data.

2026 facts from chinese-calendar 1.11.0 that these tests rely on:
- Spring Festival: holidays Feb 15-23; make-up working days Sat Feb 14 and Sat Feb 28.
- Mid-autumn: holidays Fri-Sun Sep 25-27.
- National Day: holidays Thu Oct 1 - Wed Oct 7; make-up working days Sun Sep 20, Sat Oct 10.
- The package covers 2004-2026 and raises NotImplementedError for 2027 onwards.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workflows.deadlines.calendar import (
    SHANGHAI,
    Due,
    HolidayCalendar,
    compute_due,
    is_working_day,
)
from workflows.deadlines.periods import Period, PeriodError, Unit, parse_period


def shanghai_midnight_after(day: date) -> datetime:
    """24:00 Shanghai of day, the instant a day-based period runs out."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(days=1)


def morning(day: date) -> datetime:
    """09:30 Shanghai of day: an office-hours trigger whose UTC date is the same."""
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=SHANGHAI)


def assert_due(due: Due, last_day: date, provisional: bool = False) -> None:
    """The period ends at 24:00 Shanghai of last_day, reported in UTC."""
    assert due.at == shanghai_midnight_after(last_day)
    assert due.at.tzinfo is UTC
    assert due.provisional is provisional


# --- parse_period -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 days", Period(3, "days")),
        ("1 day", Period(1, "days")),
        ("  3   DAYS ", Period(3, "days")),
        ("15 working days", Period(15, "working_days")),
        ("1 working day", Period(1, "working_days")),
        ("15 Working  Days", Period(15, "working_days")),
        ("24 hours", Period(24, "hours")),
        ("1 hour", Period(1, "hours")),
        ("24Hours", Period(24, "hours")),
        ("3日", Period(3, "days")),
        ("3天", Period(3, "days")),
        ("3 天", Period(3, "days")),
        ("15个工作日", Period(15, "working_days")),
        ("15工作日", Period(15, "working_days")),
        ("24小时", Period(24, "hours")),
        # Full-width digits, as a Chinese IME types them.
        ("１５个工作日", Period(15, "working_days")),
    ],
)
def test_parse_period_accepts(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text",
    ["3 weeks", "", "   ", "-2 days", "days", "3.5 days", "3 days later", "3", "三日"],
)
def test_parse_period_rejects_unrecognised_text(text: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text)
    message = str(raised.value)
    assert f"unrecognised deadline {text!r}" in message
    assert all(f"'N {unit.noun}'" in message for unit in Unit)  # the hint names every unit


@pytest.mark.parametrize("text", ["0 days", "0个工作日", "00 hours"])
def test_parse_period_rejects_zero(text: str) -> None:
    with pytest.raises(PeriodError, match=repr(text)):
        parse_period(text)


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'3 weeks'"):
        parse_period("3 weeks")


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(0, "days"), (-1, "hours"), (True, "days"), (3, "weeks"), (3, "working days")],
)
def test_period_rejects_invalid_values(amount: int, unit: str) -> None:
    with pytest.raises(PeriodError):
        Period(amount, unit)


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (Period(3, "days"), "3 days"),
        (Period(1, "days"), "1 day"),
        (Period(15, "working_days"), "15 working days"),
        (Period(1, "working_days"), "1 working day"),
        (Period(24, "hours"), "24 hours"),
    ],
)
def test_period_str_round_trips(period: Period, text: str) -> None:
    assert str(period) == text
    assert parse_period(str(period)) == period


# --- is_working_day -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 30), (True, True)),  # ordinary Wednesday
        (date(2026, 10, 1), (False, True)),  # National Day, a Thursday
        (date(2026, 10, 7), (False, True)),  # last day of the holiday, a Wednesday
        (date(2026, 10, 10), (True, True)),  # make-up Saturday
        (date(2026, 9, 20), (True, True)),  # make-up Sunday
        (date(2026, 10, 11), (False, True)),  # ordinary Sunday
        (date(2026, 2, 14), (True, True)),  # Spring Festival make-up Saturday
        (date(2026, 2, 23), (False, True)),  # Spring Festival Monday
        (date(2027, 1, 1), (True, False)),  # beyond the package: weekday guess
        (date(2030, 10, 1), (True, False)),  # National Day 2030, unknown
        (date(2030, 10, 5), (False, False)),  # Saturday 2030, unknown
        (date(2003, 10, 1), (True, False)),  # before the package's first year
    ],
)
def test_is_working_day_without_overrides(
    day: date, expected: tuple[bool, bool]
) -> None:
    assert is_working_day(day) == expected


def test_is_working_day_published_year_is_known() -> None:
    published = HolidayCalendar(published_years=frozenset({2030}))
    assert is_working_day(date(2030, 10, 1), published) == (True, True)
    assert is_working_day(date(2030, 10, 5), published) == (False, True)


def test_is_working_day_override_wins_over_package() -> None:
    calendar = HolidayCalendar(
        days={date(2026, 10, 8): False, date(2026, 10, 11): True}
    )
    assert is_working_day(date(2026, 10, 8), calendar) == (False, True)
    assert is_working_day(date(2026, 10, 11), calendar) == (True, True)
    assert is_working_day(date(2026, 10, 9), calendar) == (True, True)


def test_is_working_day_override_in_unpublished_year_is_known_for_that_day_only() -> (
    None
):
    calendar = HolidayCalendar(days={date(2030, 10, 1): False})
    assert is_working_day(date(2030, 10, 1), calendar) == (False, True)
    assert is_working_day(date(2030, 10, 2), calendar) == (True, False)


# --- N days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "amount", "last_day"),
    [
        # 3 days from Tue Sep 29 would end Fri Oct 2, inside the holiday.
        (date(2026, 9, 29), 3, date(2026, 10, 8)),
        # 7 days from Mon Sep 28 would end Mon Oct 5, inside the holiday.
        (date(2026, 9, 28), 7, date(2026, 10, 8)),
        # 7 days from Wed Sep 30 end on Oct 7, the holiday's last day.
        (date(2026, 9, 30), 7, date(2026, 10, 8)),
        # 3 days from Thu Sep 24 end Sun Sep 27, Mid-autumn: next working day is Mon.
        (date(2026, 9, 24), 3, date(2026, 9, 28)),
    ],
)
def test_days_ending_in_holiday_roll_to_next_working_day(
    trigger: date, amount: int, last_day: date
) -> None:
    assert_due(compute_due(morning(trigger), Period(amount, "days")), last_day)


def test_days_ending_on_ordinary_weekend_roll_to_monday() -> None:
    # Wed Oct 14 + 3 = Sat Oct 17; Sun Oct 18 is rest too, so Mon Oct 19.
    assert_due(
        compute_due(morning(date(2026, 10, 14)), Period(3, "days")), date(2026, 10, 19)
    )


def test_days_ending_on_make_up_saturday_do_not_roll() -> None:
    # Wed Oct 7 + 3 = Sat Oct 10, a make-up working day: the period ends there.
    assert_due(
        compute_due(morning(date(2026, 10, 7)), Period(3, "days")), date(2026, 10, 10)
    )


def test_days_ending_on_working_day_are_not_moved() -> None:
    # Trigger day is not counted: Mon Oct 12 + 3 = Thu Oct 15.
    assert_due(
        compute_due(morning(date(2026, 10, 12)), Period(3, "days")), date(2026, 10, 15)
    )


def test_days_triggered_inside_holiday_still_count_calendar_days() -> None:
    # Holidays in the middle do not stop calendar days: Oct 2 + 10 = Mon Oct 12.
    assert_due(
        compute_due(morning(date(2026, 10, 2)), Period(10, "days")), date(2026, 10, 12)
    )


# --- N working days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "amount", "last_day"),
    [
        # Thu Feb 12: Fri 13, Sat 14 (make-up), then the holiday until Tue 24.
        (date(2026, 2, 12), 3, date(2026, 2, 24)),
        # Fri Feb 13: the make-up Saturday is the first working day.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        # Mon Feb 23 (holiday): Tue 24 .. Fri 27, then make-up Sat 28.
        (date(2026, 2, 23), 5, date(2026, 2, 28)),
        # Fri Sep 18: make-up Sun Sep 20, then Mon 21 .. Thu 24.
        (date(2026, 9, 18), 5, date(2026, 9, 24)),
        # Tue Sep 29: Sep 30, Oct 8, 9, Sat Oct 10 (make-up), Mon Oct 12.
        (date(2026, 9, 29), 5, date(2026, 10, 12)),
        # ... and ten more ordinary weekdays to Mon Oct 26.
        (date(2026, 9, 29), 15, date(2026, 10, 26)),
    ],
)
def test_working_days_skip_holidays_and_count_make_up_days(
    trigger: date, amount: int, last_day: date
) -> None:
    assert_due(compute_due(morning(trigger), Period(amount, "working_days")), last_day)


def test_parsed_chinese_working_days_match_english() -> None:
    start = morning(date(2026, 9, 29))
    chinese = compute_due(start, parse_period("15个工作日"))
    assert chinese == compute_due(start, parse_period("15 working days"))
    assert_due(chinese, date(2026, 10, 26))


# --- N hours ------------------------------------------------------------------


def test_hours_across_holiday_are_clock_time() -> None:
    start = datetime(2026, 9, 30, 10, 15, tzinfo=SHANGHAI)
    due = compute_due(start, Period(24, "hours"))
    assert due == Due(datetime(2026, 10, 1, 2, 15, tzinfo=UTC), provisional=False)
    assert due.at.tzinfo is UTC


def test_hours_into_unpublished_year_are_not_provisional() -> None:
    start = datetime(2026, 12, 31, 20, 0, tzinfo=SHANGHAI)
    assert compute_due(start, parse_period("24小时")) == Due(
        datetime(2027, 1, 1, 12, 0, tzinfo=UTC), provisional=False
    )


def test_hours_count_elapsed_time_across_dst_change() -> None:
    # New York springs forward on 2026-03-08: 24 elapsed hours end at 02:00 EDT, not 01:00.
    start = datetime(2026, 3, 7, 1, 0, tzinfo=ZoneInfo("America/New_York"))
    due = compute_due(start, Period(24, "hours"))
    assert due.at == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)


# --- trigger day is the Shanghai date -----------------------------------------


def test_trigger_day_is_shanghai_date_not_utc_date() -> None:
    # 20:00 UTC on Sep 29 is 04:00 Sep 30 in Shanghai; Sep 30 + 1 = Oct 1, a holiday.
    start = datetime(2026, 9, 29, 20, 0, tzinfo=UTC)
    assert_due(compute_due(start, Period(1, "days")), date(2026, 10, 8))
    assert_due(compute_due(start, Period(1, "working_days")), date(2026, 10, 8))


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        # 23:59:59 Sep 29 Shanghai: trigger Sep 29, one day later is working Sep 30.
        (datetime(2026, 9, 29, 15, 59, 59, tzinfo=UTC), date(2026, 9, 30)),
        # One second later it is Sep 30 in Shanghai: Oct 1 is a holiday.
        (datetime(2026, 9, 29, 16, 0, 0, tzinfo=UTC), date(2026, 10, 8)),
        # Other offsets are converted too: 12:00 -04:00 is 00:00 Sep 30 in Shanghai.
        (
            datetime(2026, 9, 29, 12, 0, tzinfo=timezone(timedelta(hours=-4))),
            date(2026, 10, 8),
        ),
    ],
)
def test_shanghai_midnight_is_the_day_boundary(start: datetime, last_day: date) -> None:
    assert_due(compute_due(start, Period(1, "days")), last_day)
