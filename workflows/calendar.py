"""Statutory period arithmetic: N days, N working days and N hours (DOMAIN.md §2)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "SHANGHAI",
    "Due",
    "HolidayCalendar",
    "Period",
    "PeriodError",
    "compute_due",
    "is_working_day",
    "parse_period",
]

# Legal days end at midnight in China, whatever zone the trigger was recorded in.
SHANGHAI = ZoneInfo("Asia/Shanghai")

UNITS = ("days", "working_days", "hours")

_HINT = "use 'N days', 'N working days' or 'N hours'"

# Keys are already NFKC-normalised, lower-cased and stripped of spaces.
_UNIT_WORDS = {
    "day": "days",
    "days": "days",
    "日": "days",
    "天": "days",
    "workingday": "working_days",
    "workingdays": "working_days",
    "工作日": "working_days",
    "个工作日": "working_days",
    "hour": "hours",
    "hours": "hours",
    "小时": "hours",
}

# ASCII digits only: a sign or a decimal point must fail rather than be guessed at.
_PERIOD_RE = re.compile(r"([0-9]+)(\D+)")


class PeriodError(ValueError):
    """A deadline text or Period value that no statutory kind of period expresses."""


@dataclass(frozen=True)
class Period:
    """A statutory period: a positive number of days, working days or hours."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        """Reject periods no rule defines, so bad values never reach compute_due."""
        if self.unit not in UNITS:
            raise PeriodError(
                f"unknown period unit {self.unit!r}; expected one of {', '.join(UNITS)}"
            )
        # bool is an int subclass; True days is a bug, not one day.
        if (
            isinstance(self.amount, bool)
            or not isinstance(self.amount, int)
            or self.amount < 1
        ):
            raise PeriodError(
                f"period amount must be a positive whole number, got {self.amount!r}"
            )

    def __str__(self) -> str:
        """Render as the English text parse_period accepts, e.g. '15 working days'."""
        noun = self.unit.replace("_", " ")
        return f"{self.amount} {noun[:-1] if self.amount == 1 else noun}"


def parse_period(text: str) -> Period:
    """Parse '3 days', '15 working days', '24 hours', '3日', '15个工作日', '24小时'."""
    # NFKC folds full-width digits and spaces typed with a Chinese IME.
    compact = "".join(unicodedata.normalize("NFKC", text).lower().split())
    match = _PERIOD_RE.fullmatch(compact)
    unit = _UNIT_WORDS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise PeriodError(f"unrecognised deadline {text!r}; {_HINT}")
    amount = int(match.group(1))
    if amount < 1:
        raise PeriodError(f"deadline {text!r} must be at least 1; {_HINT}")
    return Period(amount, unit)


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


def compute_due(
    start: datetime, period: Period, calendar: HolidayCalendar | None = None
) -> Due:
    """When period, triggered at start, runs out under DOMAIN.md §2."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start must be timezone-aware, got naive {start.isoformat()}")
    if period.unit == "hours":
        # Add in UTC: in a zone with DST, + would count wall-clock, not elapsed, hours.
        return Due(
            start.astimezone(UTC) + timedelta(hours=period.amount), provisional=False
        )
    trigger = start.astimezone(SHANGHAI).date()
    if period.unit == "days":
        last, known = _roll_to_working_day(
            trigger + timedelta(days=period.amount), calendar
        )
    else:
        last, known = _nth_working_day(trigger, period.amount, calendar)
    return Due(_end_of_day(last), provisional=not known)
