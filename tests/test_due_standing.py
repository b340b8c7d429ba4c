"""How a due time reads: the day at 24:00, and what is left or how late, as its period counts."""

from __future__ import annotations

from datetime import date

from tests.helpers import sh
from workflows.deadlines.calendar import HolidayCalendar
from workflows.deadlines.standing import DAYS, HOURS, WORKING_DAYS, Standing, counting_unit, due_day, standing

END_OF_DEC_8 = sh(12, 9)  # a period ending at 24:00 of Tuesday 2026-12-08, as stored


def test_a_period_ending_at_midnight_shows_as_that_day_at_24_00():
    assert str(due_day(END_OF_DEC_8)) == "2026-12-08 24:00"
    assert due_day(END_OF_DEC_8).end_of_day and due_day(END_OF_DEC_8).day == date(2026, 12, 8)
    assert str(due_day(sh(12, 8, 15, 30))) == "2026-12-08 15:30"  # an hour period ends when it ends


def test_the_unit_counted_is_the_periods():
    assert counting_unit("5 working days") == WORKING_DAYS
    assert counting_unit("3 days") == DAYS and counting_unit("1 month") == DAYS
    assert counting_unit("24 hours") == HOURS
    assert counting_unit("2026-12-08") == DAYS and counting_unit(None) == DAYS  # deadlineDate stores the day


def test_calendar_days_left_and_late():
    assert standing(END_OF_DEC_8, sh(12, 5, 10), DAYS) == Standing(False, 3, DAYS)
    assert standing(END_OF_DEC_8, sh(12, 8, 23, 59), DAYS) == Standing(False, 0, DAYS)  # ends tonight
    assert standing(END_OF_DEC_8, END_OF_DEC_8, DAYS) == Standing(False, 0, DAYS)  # 24:00 itself is in time
    assert standing(END_OF_DEC_8, sh(12, 9, 0, 1), DAYS) == Standing(True, 1, DAYS)
    assert standing(END_OF_DEC_8, sh(12, 10, 9), DAYS) == Standing(True, 2, DAYS)


def test_working_days_left_skip_the_weekend_and_holidays():
    # Friday 2026-12-04: Mon 7 and Tue 8 are left, the weekend is not.
    assert standing(END_OF_DEC_8, sh(12, 4, 10), WORKING_DAYS) == Standing(False, 2, WORKING_DAYS)
    # An admin's holiday on Monday 7 leaves one.
    holiday = HolidayCalendar(days={date(2026, 12, 7): False})
    assert standing(END_OF_DEC_8, sh(12, 4, 10), WORKING_DAYS, holiday) == Standing(False, 1, WORKING_DAYS)


def test_working_days_late_and_a_rest_day_after_the_due_day():
    due_friday = sh(12, 12)  # 24:00 of Friday 2026-12-11
    assert standing(due_friday, sh(12, 15, 9), WORKING_DAYS) == Standing(True, 2, WORKING_DAYS)  # Mon, Tue
    assert standing(due_friday, sh(12, 12, 9), WORKING_DAYS) == Standing(True, 1, DAYS)  # Saturday: a day late


def test_hours_left_and_late():
    due = sh(12, 8, 15, 30)
    assert standing(due, sh(12, 8, 10), HOURS) == Standing(False, 5, HOURS)
    assert standing(due, sh(12, 8, 15), HOURS) == Standing(False, 0, HOURS)
    assert standing(due, sh(12, 8, 15, 31), HOURS) == Standing(True, 1, HOURS)  # a begun hour counts
    assert standing(due, sh(12, 8, 17, 31), DAYS) == Standing(True, 3, HOURS)  # not at a day's end: hours
