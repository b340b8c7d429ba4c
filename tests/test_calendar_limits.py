"""Statutory periods beyond the published holidays, bad input, and the longest period (DOMAIN.md §2)."""

import pickle
from datetime import date, datetime, timedelta

import pytest

from tests.test_calendar import (  # the original module's fixtures and helpers
    assert_due,
    morning,
)
from workflows.deadlines.calendar import (
    SHANGHAI,
    DeadlineFunction,
    DeadlineStartError,
    HolidayCalendar,
    as_instant,
    compute_due,
)
from workflows.deadlines.periods import MAX_AMOUNTS, Period, PeriodError, Unit, parse_period

# --- provisional deadlines beyond the package's data --------------------------


def test_days_ending_in_unpublished_year_are_provisional() -> None:
    # Tue Dec 29 2026 + 3 = Fri Jan 1 2027: a weekday, so working by the weekend rule.
    due = compute_due(morning(date(2026, 12, 29)), Period(3, "days"))
    assert_due(due, date(2027, 1, 1), provisional=True)


def test_days_ending_in_published_year_are_not_provisional() -> None:
    calendar = HolidayCalendar(published_years=frozenset({2027}))
    due = compute_due(morning(date(2026, 12, 29)), Period(3, "days"), calendar)
    assert_due(due, date(2027, 1, 1))


def test_admin_holiday_in_published_year_is_honoured() -> None:
    # Jan 1 2027 entered as a holiday; Sat 2 and Sun 3 are weekend: Mon Jan 4.
    calendar = HolidayCalendar(
        days={date(2027, 1, 1): False}, published_years=frozenset({2027})
    )
    due = compute_due(morning(date(2026, 12, 29)), Period(3, "days"), calendar)
    assert_due(due, date(2027, 1, 4))


def test_admin_holiday_in_unpublished_year_stays_provisional() -> None:
    # The override is honoured, but the roll crosses unpublished Jan 2-4.
    calendar = HolidayCalendar(days={date(2027, 1, 1): False})
    due = compute_due(morning(date(2026, 12, 29)), Period(3, "days"), calendar)
    assert_due(due, date(2027, 1, 4), provisional=True)


def test_period_ending_in_2026_is_not_provisional_near_year_end() -> None:
    # Wed Dec 30 + 1 = Thu Dec 31 2026, known from the package.
    assert_due(
        compute_due(morning(date(2026, 12, 30)), Period(1, "days")), date(2026, 12, 31)
    )


def test_working_days_into_unpublished_year_are_provisional() -> None:
    # Dec 31 (known), Fri Jan 1 2027 (guessed working), Mon Jan 4.
    due = compute_due(morning(date(2026, 12, 30)), Period(3, "working_days"))
    assert_due(due, date(2027, 1, 4), provisional=True)


def test_working_days_with_admin_published_year() -> None:
    # Dec 31, then the admin holiday Jan 1 is skipped: Mon Jan 4, Tue Jan 5.
    calendar = HolidayCalendar(
        days={date(2027, 1, 1): False}, published_years=frozenset({2027})
    )
    due = compute_due(morning(date(2026, 12, 30)), Period(3, "working_days"), calendar)
    assert_due(due, date(2027, 1, 5))


def test_far_future_year_weekends_only() -> None:
    # Thu Sep 26 2030 + 3 = Sun Sep 29: weekend rule rolls to Mon Sep 30.
    start = morning(date(2030, 9, 26))
    assert_due(
        compute_due(start, Period(3, "days")), date(2030, 9, 30), provisional=True
    )
    # An admin-entered National Day week 2030 (Oct 1-7) moves 1 working day past it.
    holiday = {date(2030, 10, 1) + timedelta(days=n): False for n in range(7)}
    calendar = HolidayCalendar(days=holiday, published_years=frozenset({2030}))
    start = morning(date(2030, 9, 30))
    assert_due(
        compute_due(start, Period(1, "working_days"), calendar), date(2030, 10, 8)
    )


def test_override_wins_over_package_in_covered_year() -> None:
    # An admin marks Thu Oct 8 2026 as rest: 3 days from Sep 29 now ends Fri Oct 9.
    calendar = HolidayCalendar(days={date(2026, 10, 8): False})
    due = compute_due(morning(date(2026, 9, 29)), Period(3, "days"), calendar)
    assert_due(due, date(2026, 10, 9))


# --- input validation ---------------------------------------------------------


def test_naive_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_due(datetime(2026, 9, 29, 9, 30), Period(3, "days"))


# --- the longest period (issue 14: 999999999 working days counted for 143 s) ---


@pytest.mark.parametrize(("unit", "limit"), [(unit, MAX_AMOUNTS[unit]) for unit in Unit])
def test_each_unit_goes_up_to_twenty_years(unit: Unit, limit: int) -> None:
    Period(limit, unit).check_bounds()
    with pytest.raises(PeriodError, match=f"exceeds the maximum of {limit} {unit.noun} \\(20 years\\)"):
        Period(limit + 1, unit).check_bounds()


def test_the_longest_periods_end_twenty_years_on() -> None:
    start = morning(date(2026, 3, 2))
    for unit in Unit:
        due = compute_due(start, Period(MAX_AMOUNTS[unit], unit))
        assert date(2045, 10, 1) < due.at.date() < date(2046, 6, 1)


@pytest.mark.parametrize("text", ["999999999 working days", "1000000 months", "9" * 5000 + " days", "7306天"])
def test_a_period_beyond_the_maximum_parses_but_is_refused(text: str) -> None:
    period = parse_period(text)  # reading it is instant: no int() of 5,000 digits
    with pytest.raises(PeriodError, match="exceeds the maximum"):
        period.check_bounds()


def test_the_calculator_refuses_a_stored_period_beyond_the_maximum_at_once() -> None:
    # A definition deployed before the bound: counting must not start.
    with pytest.raises(PeriodError, match="exceeds the maximum of 5220 working days"):
        compute_due(morning(date(2026, 3, 2)), Period(999_999_999, Unit.WORKING_DAYS))


def test_a_start_date_near_the_end_of_the_calendar_is_refused() -> None:
    with pytest.raises(DeadlineStartError, match="too far in the future"):
        as_instant("9990-01-01", "received")
    assert as_instant("2026-03-02", "received") == datetime(2026, 3, 2, tzinfo=SHANGHAI)


def test_the_deadline_function_of_timers_travels_by_pickle() -> None:
    calendar = HolidayCalendar(days={date(2026, 10, 8): False})
    function = pickle.loads(pickle.dumps(DeadlineFunction(calendar)))
    assert function("3 days", "2026-09-29") == compute_due(
        datetime(2026, 9, 29, tzinfo=SHANGHAI), Period(3, Unit.DAYS), calendar).at.isoformat()
