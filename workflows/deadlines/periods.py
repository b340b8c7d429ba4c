"""Periods as diagrams declare them: N days, N working days, N hours or N months (DOMAIN.md §2).

Parsing and bounds only; counting a period on the holiday calendar is workflows.deadlines.calendar.
The law's way of writing time is the lowest layer: the engine's typed settings hold these periods.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from workflows.messages import CodedError

__all__ = ["MAX_AMOUNTS", "MAX_YEARS", "PERIOD_FORMS", "Period", "PeriodError", "Unit", "parse_period"]


class Unit(StrEnum):
    """A kind of statutory period (DOMAIN.md §2); the value is its English plural with '_' for spaces."""

    DAYS = "days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    MONTHS = "months"

    @property
    def noun(self) -> str:
        """The English plural as texts write it: 'working days'."""
        return self.value.replace("_", " ")

    @property
    def chinese(self) -> str:
        """The Chinese unit written after the number: 日, 个工作日, 小时, 个月."""
        return _CHINESE[self]


_CHINESE = {Unit.DAYS: "日", Unit.WORKING_DAYS: "个工作日", Unit.HOURS: "小时", Unit.MONTHS: "个月"}
# Spellings accepted besides the English singular and plural and the Chinese unit above
# (not a bare 月: "3月" reads as March).
_VARIANTS = {"天": Unit.DAYS, "工作日": Unit.WORKING_DAYS}
# Units of a fixed clock length: only these measure a time before a due time (a reminder).
_CLOCK_LENGTHS = {Unit.HOURS: timedelta(hours=1), Unit.DAYS: timedelta(days=1)}


def _unit_words() -> dict[str, Unit]:
    """Every accepted spelling, NFKC-normalised, lower-cased and without spaces, with its unit."""
    words = dict(_VARIANTS)
    for unit in Unit:
        plural = unit.noun.replace(" ", "")
        words.update({plural: unit, plural[:-1]: unit, unit.chinese: unit})
    return words


def _forms() -> str:
    """How periods are written, for messages: 'N days', 'N working days' or 'N hours'."""
    forms = [f"'N {unit.noun}'" for unit in Unit]
    return ", ".join(forms[:-1]) + " or " + forms[-1]


_UNIT_WORDS = _unit_words()
PERIOD_FORMS = _forms()

# The longest period a deadline may have in each unit: 20 years, the longest limitation period of
# civil law (民法典 第188条). Beyond it a period is a typo or an attack: counting 999,999,999 working
# days took 143 s.
MAX_YEARS = 20
MAX_AMOUNTS = {Unit.DAYS: 7_305, Unit.WORKING_DAYS: 5_220, Unit.HOURS: 175_320, Unit.MONTHS: 240}
# Digits read from a period text: enough for any maximum, few enough for int() to be instant.
_MAX_DIGITS = 18

# ASCII digits only: a sign or a decimal point must fail rather than be guessed at.
_PERIOD_RE = re.compile(r"([0-9]+)(\D+)")


class PeriodError(CodedError, ValueError):
    """A deadline text or Period value that no statutory kind of period expresses."""


@dataclass(frozen=True)
class Period:
    """A statutory period: a positive number of one unit."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        """Reject periods no rule defines, so bad values never reach compute_due."""
        if self.unit not in _CHINESE:
            raise PeriodError("period_unit_unknown", unit=repr(self.unit), units=list(Unit))
        object.__setattr__(self, "unit", Unit(self.unit))  # "days" given as text becomes Unit.DAYS
        # bool is an int subclass; True days is a bug, not one day.
        if (
            isinstance(self.amount, bool)
            or not isinstance(self.amount, int)
            or self.amount < 1
        ):
            raise PeriodError("period_amount_invalid", value=repr(self.amount))

    def __str__(self) -> str:
        """Render as the English text parse_period accepts, e.g. '15 working days'."""
        noun = self.unit.noun
        return f"{self.amount} {noun[:-1] if self.amount == 1 else noun}"

    @property
    def needs_calendar(self) -> bool:
        """Whether the period counts days of the holiday calendar (all but hours do)."""
        return self.unit is not Unit.HOURS

    def check_bounds(self) -> None:
        """Refuse a period longer than any legal deadline needs (MAX_AMOUNTS)."""
        limit = MAX_AMOUNTS[self.unit]
        if self.amount > limit:
            raise PeriodError("period_too_long", period=str(self), longest=f"{limit} {self.unit.noun}",
                              years=MAX_YEARS)

    def length(self) -> timedelta | None:
        """The clock length of the period, or None where its length depends on the dates."""
        unit = _CLOCK_LENGTHS.get(self.unit)
        return unit * self.amount if unit is not None else None


def parse_period(text: str) -> Period:
    """Parse '3 days', '15 working days', '24 hours', '6 months', '3日', '15个工作日', '24小时', '6个月'."""
    # NFKC folds full-width digits and spaces typed with a Chinese IME.
    compact = "".join(unicodedata.normalize("NFKC", text).lower().split())
    match = _PERIOD_RE.fullmatch(compact)
    unit = _UNIT_WORDS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise PeriodError("deadline_unrecognised", text=repr(text), forms=PERIOD_FORMS)
    digits = match.group(1).lstrip("0") or "0"
    amount = int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS  # beyond every maximum anyway
    if amount < 1:
        raise PeriodError("deadline_below_one", text=repr(text), forms=PERIOD_FORMS)
    return Period(amount, unit)
