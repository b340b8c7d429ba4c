"""The admin-maintained holiday calendar that overrides and extends chinese-calendar."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workflows.db import Base


class CalendarDay(Base):
    """One day whose status differs from the default (a holiday, or a make-up working day)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the date, Asia/Shanghai
    is_working: Mapped[bool] = mapped_column(Boolean)  # True: make-up working day; False: holiday/rest
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. 国庆节, 调休上班


class CalendarYear(Base):
    """A year whose holidays an admin has entered in full, so its deadlines are not provisional."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)  # e.g. 2027
    published: Mapped[bool] = mapped_column(Boolean, default=True)  # the State Council notice is entered
