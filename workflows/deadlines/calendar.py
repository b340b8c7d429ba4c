"""Statutory period arithmetic: N days, N working days, N hours and N months (DOMAIN.md §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from workflows.deadlines.periods import MAX_YEARS, Period, Unit, parse_period
from workflows.messages import CodedError

__all__ = [
    "SHANGHAI",
    "DeadlineFunction",
    "DeadlineStartError",
    "Due",
    "HolidayCalendar",
    "as_instant",
    "compute_due",
    "is_working_day",
]

# Legal days end at midnight in China, whatever zone the trigger was recorded in.
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class HolidayCalendar:
    """Admin-maintained overrides: they win over chinese-calendar and extend it to later years."""

    days: Mapping[date, bool] = field(default_factory=dict)
    published_years: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Due:
    """When a period runs out (UTC); provisional if holiday data was missing."""

    at: datetime
    provisional: bool


_NO_OVERRIDES = HolidayCalendar()


def _official_working_day(day: date) -> bool | None:
    """chinese-calendar's verdict, or None for a year outside the data it ships."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Raised for any year outside the first..last year of its holiday table.
        return None


def is_working_day(
    day: date, calendar: HolidayCalendar | None = None
) -> tuple[bool, bool]:
    """Return (is_working, known); known is False if only the weekend rule applied."""
    calendar = calendar or _NO_OVERRIDES
    if day in calendar.days:
        return calendar.days[day], True
    official = _official_working_day(day)
    if official is not None:
        return official, True
    # Without holiday data Mon-Fri is a guess, certain only once an admin
    # has published the year.
    return day.weekday() < 5, day.year in calendar.published_years


def _end_of_day(day: date) -> datetime:
    """24:00 of a Shanghai calendar day, as a UTC instant."""
    return datetime.combine(
        day + timedelta(days=1), time(), tzinfo=SHANGHAI
    ).astimezone(UTC)


def _roll_to_working_day(
    day: date, calendar: HolidayCalendar | None
) -> tuple[date, bool]:
    """First working day on or after day, and whether every day seen was known."""
    all_known = True
    while True:
        working, known = is_working_day(day, calendar)
        all_known = all_known and known
        if working:
            return day, all_known
        day += timedelta(days=1)


def _nth_working_day(
    trigger: date, count: int, calendar: HolidayCalendar | None
) -> tuple[date, bool]:
    """The count-th working day after trigger, and whether every day seen was known."""
    day, all_known = trigger, True
    while count:
        day += timedelta(days=1)
        working, known = is_working_day(day, calendar)
        all_known = all_known and known
        if working:
            count -= 1
    return day, all_known


def _months_on(day: date, months: int) -> date:
    """The day bearing day's number `months` months on; the last day of that month if it has no such day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return date(year, month, min(day.day, month_end.day))


def _last_day(trigger: date, period: Period) -> date:
    """The day a calendar period ends on before any rest-day rollover (the trigger day not counted).

    Months end on the corresponding day of the final month, or on its last day where it has none
    (民法典 第201-202条; 1 month from Jan 31 is Feb 28, or 29 in a leap year).
    """
    if period.unit is Unit.MONTHS:
        return _months_on(trigger, period.amount)
    return trigger + timedelta(days=period.amount)


def compute_due(
    start: datetime, period: Period, calendar: HolidayCalendar | None = None
) -> Due:
    """When period, triggered at start, runs out under DOMAIN.md §2."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start must be timezone-aware, got naive {start.isoformat()}")
    period.check_bounds()  # deployment refuses longer periods; a stored one must not count for minutes either
    if not period.needs_calendar:
        # Add in UTC: in a zone with DST, + would count wall-clock, not elapsed, hours.
        return Due(
            start.astimezone(UTC) + timedelta(hours=period.amount), provisional=False
        )
    trigger = start.astimezone(SHANGHAI).date()
    if period.unit is Unit.WORKING_DAYS:
        last, known = _nth_working_day(trigger, period.amount, calendar)
    else:
        last, known = _roll_to_working_day(_last_day(trigger, period), calendar)
    return Due(_end_of_day(last), provisional=not known)


class DeadlineStartError(CodedError, ValueError):
    """The data field a deadline counts from is missing or not a date."""


# A start date from case data must leave room for the longest period before the calendar ends.
_LAST_START_YEAR = date.max.year - MAX_YEARS - 1


def as_instant(value: Any, field: str) -> datetime:
    """Read an ISO date or date-time from instance data; a bare date starts at 00:00 Shanghai."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(), SHANGHAI)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else \
                datetime.combine(date.fromisoformat(value), time(), SHANGHAI)
        except ValueError as err:
            raise DeadlineStartError("deadline_start_not_date", field=field, value=repr(value)) from err
    else:
        raise DeadlineStartError("deadline_start_missing", field=field)
    if parsed.year > _LAST_START_YEAR:
        raise DeadlineStartError("deadline_start_too_far", field=field, value=repr(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


@dataclass(frozen=True)
class DeadlineFunction:
    """`deadline(period, start)` of timer expressions: the ISO due time of a legal period.

    A value, not a closure: it travels with the expression to the script process.
    """

    calendar: HolidayCalendar

    def __call__(self, period: str, start: Any) -> str:
        """The due time of `period` counted from `start` (a date, a date-time or ISO text)."""
        parsed = parse_period(period)
        due = compute_due(as_instant(start, "start"), parsed, self.calendar if parsed.needs_calendar else None)
        return due.at.isoformat()
