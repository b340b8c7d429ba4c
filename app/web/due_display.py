"""Due times in the page language: the day a period ends (24:00), what is left of it or how late it is.

The counting is workflows.deadlines.standing's; here it is put into words (plural forms for English).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g
from flask_babel import ngettext

from app.extensions import db
from workflows.clock import now
from workflows.deadlines.calendar import HolidayCalendar
from workflows.deadlines.due_times import load_calendar
from workflows.deadlines.standing import DAYS, HOURS, WORKING_DAYS, Standing, counting_unit, due_day, standing
from workflows.models.work_item import ACTIVE_STATUSES


def due_time(value: datetime | None) -> str:
    """A due instant as the law reads it: 'YYYY-MM-DD 24:00' for a period ending at the end of a day."""
    return str(due_day(value)) if value is not None else ""


def _calendar() -> HolidayCalendar:
    """The holiday calendar, read once per request (only pages showing a working-day period need it)."""
    if "holiday_calendar" not in g:
        g.holiday_calendar = load_calendar(db.session)
    return g.holiday_calendar


def standing_text(state: Standing) -> str:
    """剩余 3 个工作日 / 已超期 2 天 / 3 working days left / 2 days overdue."""
    n = state.amount
    if state.late:
        if state.unit == WORKING_DAYS:
            return ngettext("%(num)d working day overdue", "%(num)d working days overdue", n)
        if state.unit == HOURS:
            return ngettext("%(num)d hour overdue", "%(num)d hours overdue", n)
        return ngettext("%(num)d day overdue", "%(num)d days overdue", n)
    if n == 0:
        return ngettext("less than an hour left", "less than an hour left", 1) if state.unit == HOURS else \
            ngettext("ends today", "ends today", 1)
    if state.unit == WORKING_DAYS:
        return ngettext("%(num)d working day left", "%(num)d working days left", n)
    if state.unit == HOURS:
        return ngettext("%(num)d hour left", "%(num)d hours left", n)
    return ngettext("%(num)d day left", "%(num)d days left", n)


def standing_of(due_at: datetime, at: datetime, deadline: str | None) -> Standing:
    """Where a due time stands at `at`, counted as the item's period counts."""
    unit = counting_unit(deadline)
    return standing(due_at, at, unit, _calendar() if unit == WORKING_DAYS else None)


def due_left(item: Any) -> Standing | None:
    """An active item's standing now; a finished one's at its completion when it was late; else None."""
    if item.due_at is None:
        return None
    if item.status in ACTIVE_STATUSES:
        return standing_of(item.due_at, now(), item.deadline)
    if item.completed_at is not None and item.completed_at > item.due_at:
        return standing_of(item.due_at, item.completed_at, item.deadline)
    return None


def late_by(due_at: datetime, at: datetime, deadline: str | None) -> str:
    """How late something recorded at `at` was against `due_at` ('' when in time)."""
    state = standing_of(due_at, at, deadline)
    return standing_text(state) if state.late else ""


__all__ = ["DAYS", "due_left", "due_time", "late_by", "standing_text"]
