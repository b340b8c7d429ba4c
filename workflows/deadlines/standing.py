"""How a due time reads for people: the day a period ends (24:00), and what is left of it or how late it is.

Pure functions: the pages put them into words (app/web). A period ending at the end of a day is stored
as 00:00 of the next day in China; it is shown as that day at 24:00, and counted the way its period
counts: working days left for a working-day period (the holiday calendar's working days after today
up to the last day), calendar days for days, months and a date, hours for an hour period or a due time
within a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from workflows.deadlines.calendar import SHANGHAI, HolidayCalendar, is_working_day
from workflows.deadlines.periods import PeriodError, Unit, parse_period

DAYS, WORKING_DAYS, HOURS = Unit.DAYS.value, Unit.WORKING_DAYS.value, Unit.HOURS.value
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class DueDay:
    """A due instant as people read it in China: the day and the time, 24:00 for the end of a day."""

    day: date
    clock: str  # "24:00" or "HH:MM"

    @property
    def end_of_day(self) -> bool:
        """Whether the period runs to the end of the day (the law's usual end)."""
        return self.clock == "24:00"

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.clock}"


def due_day(due_at: datetime) -> DueDay:
    """The day and time a due instant ends in China: 00:00 is 24:00 of the day before."""
    local = due_at.astimezone(SHANGHAI)
    if local.time() == time():
        return DueDay(local.date() - timedelta(days=1), "24:00")
    return DueDay(local.date(), local.strftime("%H:%M"))


@dataclass(frozen=True)
class Standing:
    """What is left of a period (late False) or how late it is (late True), in whole units."""

    late: bool
    amount: int
    unit: str  # days, working_days or hours


def counting_unit(deadline: str | None) -> str:
    """How an item's period counts time left: its unit, calendar days for a date or months (never months)."""
    try:
        unit = parse_period(deadline).unit if deadline else Unit.DAYS
    except PeriodError:  # a date (deadlineDate) is stored as the day's text
        unit = Unit.DAYS
    return DAYS if unit == Unit.MONTHS else unit.value


def _working_days_between(first: date, last: date, calendar: HolidayCalendar | None) -> int:
    """Working days d with first < d <= last."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)[0]
    return count


def standing(due_at: datetime, at: datetime, unit: str, calendar: HolidayCalendar | None = None) -> Standing:
    """Where a period stands at `at`: whole units left after today, or how many it is late.

    A period still running on its last day has 0 days left (it ends tonight). A due time that is not
    the end of a day, or an hour period, counts hours (left: whole hours; late: begun hours). Lateness
    of a working-day period counts the working days since the due day; a rest day right after it
    counts as a calendar day, so an item late is never "0 late".
    """
    due = due_day(due_at)
    if unit == HOURS or not due.end_of_day:
        if due_at >= at:
            return Standing(False, (due_at - at) // HOUR, HOURS)
        return Standing(True, -((at - due_at) // -HOUR), HOURS)
    today = at.astimezone(SHANGHAI).date()
    if due_at >= at:
        if unit == WORKING_DAYS:
            return Standing(False, _working_days_between(today, due.day, calendar), WORKING_DAYS)
        return Standing(False, max((due.day - today).days, 0), DAYS)  # at 24:00 itself: 0 left
    if unit == WORKING_DAYS:
        late = _working_days_between(due.day, today, calendar)
        if late:
            return Standing(True, late, WORKING_DAYS)
    return Standing(True, max((today - due.day).days, 1), DAYS)
