"""Due times of work items, from the diagram's deadline property and the holiday calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.deadlines.calendar import (
    SHANGHAI,
    DeadlineFunction,
    DeadlineStartError,
    Due,
    HolidayCalendar,
    as_instant,
    compute_due,
)
from workflows.deadlines.periods import Period, PeriodError
from workflows.errors import ConflictError
from workflows.models import CalendarDay, CalendarYear

__all__ = ["DeadlineStartError", "calendar_loader", "due_by_date", "due_for", "extended_due", "load_calendar",
           "reminder_for", "timer_deadline"]


_DAYS = select(CalendarDay.day, CalendarDay.is_working)
_PUBLISHED_YEARS = select(CalendarYear.year).where(CalendarYear.published.is_(True))


def load_calendar(session: Session) -> HolidayCalendar:
    """The admin's overrides and published years, read once per transaction."""
    # Plain columns, not entities: every deadline-bearing step reads these, and nothing here changes them.
    days = dict(session.execute(_DAYS).all())
    years = frozenset(session.scalars(_PUBLISHED_YEARS))
    return HolidayCalendar(days=days, published_years=years)


def calendar_loader(session: Session) -> Callable[[], HolidayCalendar]:
    """A loader that reads the calendar on first use only (hour periods and no deadline never need it)."""
    loaded: list[HolidayCalendar] = []

    def load() -> HolidayCalendar:
        if not loaded:
            loaded.append(load_calendar(session))
        return loaded[0]

    return load


def due_for(period: Period, counts_from: str | None, data: dict[str, Any], created_at: datetime,
            calendar: Callable[[], HolidayCalendar]) -> Due:
    """The due time of a task's period, counted from the date in `counts_from` of the data, else from its creation."""
    start = as_instant(data.get(counts_from), counts_from) if counts_from else created_at
    return _due(start, period, calendar)


def due_by_date(field: str, data: dict[str, Any]) -> Due:
    """24:00 (China) of the day in a data field: a deadline that is a date, not a period (deadlineDate).

    The day is the one named: a date set by whoever asked (报送截止日期) is not moved off a rest day.
    """
    day = as_instant(data.get(field), field).astimezone(SHANGHAI).date()
    return Due(datetime.combine(day + timedelta(days=1), time(), SHANGHAI), provisional=False)


def _due(start: datetime, period: Period, calendar: Callable[[], HolidayCalendar]) -> Due:
    """When a period triggered at start runs out; the holiday calendar is read only for periods that count days."""
    return compute_due(start, period, calendar() if period.needs_calendar else None)


# Without a remindBefore, the holder is reminded half-way through the period, and at most a day ahead.
DEFAULT_REMINDER = timedelta(hours=24)


def reminder_for(due: datetime, created_at: datetime, remind_before: Period | None) -> datetime:
    """When the holder of an item gets the "deadline approaching" notice."""
    length = remind_before.length() if remind_before else None
    if length is not None:  # deployment lets only clock lengths (hours, days) through
        return due - length
    return due - min(DEFAULT_REMINDER, max(due - created_at, timedelta()) / 2)


def extended_due(current: datetime, extension: Period, calendar: Callable[[], HolidayCalendar]) -> Due:
    """The due time after one extension: the period counted on from the current due time.

    The current due time is 24:00 of a day, i.e. 00:00 of the next; the extension's trigger day
    is the last day of the original period, as the law counts a continued period.
    """
    start = current - timedelta(microseconds=1) if extension.needs_calendar else current
    try:
        return _due(start, extension, calendar)
    except PeriodError as err:  # a period stored before deployment bounded them
        raise ConflictError(err.code, **err.params) from err


class _TimerDeadline:
    """`deadline(period, start)` for timer expressions, reading the holiday calendar on first use.

    Pickled (to go with a timer expression to the script process), it becomes a DeadlineFunction
    over the calendar loaded then.
    """

    def __init__(self, calendar: Callable[[], HolidayCalendar]) -> None:
        self.calendar = calendar

    def __call__(self, period: str, start: Any) -> str:
        """The ISO due time of a legal period counted from start."""
        return DeadlineFunction(self.calendar())(period, start)

    def __reduce__(self) -> tuple[Any, ...]:
        return DeadlineFunction, (self.calendar(),)


def timer_deadline(calendar: Callable[[], HolidayCalendar]) -> Callable[[str, Any], str]:
    """`deadline(period, start)` for timer expressions: the ISO due time of a legal period."""
    return _TimerDeadline(calendar)
