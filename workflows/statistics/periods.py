"""The period a statistic covers: whole local days, named as offices name them (year, half, quarter, month).

Days are China's (Asia/Shanghai, no daylight saving), so a case started at 23:30 on 30 June belongs
to the first half-year, whatever UTC says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from workflows.deadlines.calendar import SHANGHAI
from workflows.errors import InvalidDataError
from workflows.messages import message

FIRST_YEAR, LAST_YEAR = 1900, 9998  # no case is older; the day after the last must still be a date
MAX_DAYS = 366 * 10  # a range longer than ten years is a typing mistake, not a report
_SPEC = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>\d{2})))?")


@dataclass(frozen=True)
class StatPeriod:
    """From the first day (included) to the last day (included), local days."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant, in UTC."""
        return datetime.combine(self.first, time(), SHANGHAI).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC (queries use start <= t < end)."""
        return datetime.combine(self.last + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)

    @property
    def name(self) -> str:
        """`2026`, `2026-H1`, `2026-Q3` or `2026-05` when the days are one of those, else `2026-03-01_2026-03-15`."""
        first, last = self.first, self.last
        if first.day == 1 and first.year == last.year and last == _month_end(last.year, last.month):
            months = last.month - first.month + 1
            if months == 12:
                return f"{first.year:04d}"
            if months == 6 and first.month in (1, 7):
                return f"{first.year:04d}-H{1 if first.month == 1 else 2}"
            if months == 3 and first.month in (1, 4, 7, 10):
                return f"{first.year:04d}-Q{(first.month + 2) // 3}"
            if months == 1:
                return f"{first.year:04d}-{first.month:02d}"
        return f"{first.isoformat()}_{last.isoformat()}"

    def months(self) -> list[str]:
        """The months the period touches, as YYYY-MM, in order."""
        found, day = [], self.first.replace(day=1)
        while day <= self.last:
            found.append(f"{day.year:04d}-{day.month:02d}")
            day = (day + timedelta(days=32)).replace(day=1)
        return found


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def named_period(spec: str) -> StatPeriod:
    """`2026`, `2026-H1`, `2026-Q3` or `2026-05` as the days it covers."""
    match = _SPEC.fullmatch(spec.strip())
    if match is None or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
        raise InvalidDataError("period_unknown", {"period": [message("field_period_spec", spec=spec)]})
    year = int(match["year"])
    if match["half"]:
        first_month, months = (1 if match["half"] == "H1" else 7), 6
    elif match["quarter"]:
        first_month, months = 3 * int(match["quarter"][1]) - 2, 3
    elif match["month"]:
        first_month, months = int(match["month"]), 1
        if not 1 <= first_month <= 12:
            no_month = message("field_no_month", spec=spec, month=first_month)
            raise InvalidDataError("period_unknown", {"period": [no_month]})
    else:
        first_month, months = 1, 12
    last_month = first_month + months - 1
    return StatPeriod(date(year, first_month, 1), _month_end(year, last_month))


def day_range(first: date, last: date) -> StatPeriod:
    """Any range of days, both included."""
    if not (first.year >= FIRST_YEAR and last.year <= LAST_YEAR):
        between = message("field_days_between", low=FIRST_YEAR, high=LAST_YEAR)
        raise InvalidDataError("period_unknown", {"from": [between]})
    if last < first:
        raise InvalidDataError("period_unknown", {"to": [message("field_last_before_first")]})
    if (last - first).days >= MAX_DAYS:
        raise InvalidDataError("period_unknown", {"to": [message("field_range_too_long", days=MAX_DAYS)]})
    return StatPeriod(first, last)
