"""The admin's holiday calendar: holidays and make-up working days, and the years entered in full.

These rows override chinese-calendar and extend it to years it does not cover (DOMAIN.md §2);
`workflows.deadlines.due_times.load_calendar` reads them for every due-time computation.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.deadlines.calendar import is_working_day
from workflows.errors import InvalidDataError, PermissionDeniedError
from workflows.messages import message
from workflows.models import CalendarDay, CalendarYear, User

FIRST_YEAR, LAST_YEAR = 2000, 2200  # years an admin may enter
NOTE_LENGTH = 200


def _require_admin(actor: User | None) -> None:
    """Calendar changes move legal deadlines, so only admins make them (None: the set-up script)."""
    if actor is not None and not actor.has_role("admin"):
        raise PermissionDeniedError("holidays_admin_only")


def _check_year(year: int) -> None:
    """Refuse years no statutory period will reach."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        between = message("field_year_between", low=FIRST_YEAR, high=LAST_YEAR)
        raise InvalidDataError("year_out_of_range", {"year": [between]})


def set_calendar_day(session: Session, actor: User | None, day: date, is_working: bool, note: str = "") -> CalendarDay:
    """Enter or change one day: a holiday (is_working False) or a make-up working day (True)."""
    _require_admin(actor)
    _check_year(day.year)
    row = session.get(CalendarDay, day) or CalendarDay(day=day)
    row.is_working, row.note = is_working, note.strip()[:NOTE_LENGTH]
    session.add(row)
    session.flush()
    record(session, "calendar.day_set", actor=actor,
           payload={"day": day.isoformat(), "is_working": is_working, "note": row.note})
    return row


def publish_year(session: Session, actor: User | None, year: int, published: bool = True) -> CalendarYear:
    """Mark a year's holidays as entered in full (its deadlines stop being provisional), or withdraw that."""
    _require_admin(actor)
    _check_year(year)
    row = session.get(CalendarYear, year) or CalendarYear(year=year)
    row.published = published
    session.add(row)
    session.flush()
    record(session, "calendar.year_published", actor=actor, payload={"year": year, "published": published})
    return row


def calendar_days(session: Session) -> list[CalendarDay]:
    """The entered days, latest first."""
    return list(session.scalars(select(CalendarDay).order_by(CalendarDay.day.desc())))


def calendar_years(session: Session) -> list[CalendarYear]:
    """The years marked entered (or withdrawn), latest first."""
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc())))


def covered_years(first: int = 2004, last: int = 2100) -> tuple[int, int]:
    """The first and last year chinese-calendar ships holiday data for ((0, 0) if none)."""
    years = [y for y in range(first, last) if is_working_day(date(y, 6, 1))[1]]
    return (years[0], years[-1]) if years else (0, 0)
