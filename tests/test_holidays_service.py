"""The admin's holiday calendar through workflows.deadlines.holidays, without HTTP: rows, audit, deadlines, refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import end_of, sh
from workflows.deadlines.calendar import compute_due
from workflows.deadlines.due_times import load_calendar
from workflows.deadlines.holidays import calendar_days, calendar_years, covered_years, publish_year, set_calendar_day
from workflows.deadlines.periods import Period
from workflows.errors import InvalidDataError, PermissionDeniedError
from workflows.models import AuditEvent, User


def user(session, name: str) -> User:  # noqa: ANN001
    return session.scalars(select(User).where(User.username == name)).one()


def events(session, type_: str) -> list[dict]:  # noqa: ANN001
    return [e.payload for e in session.scalars(select(AuditEvent).where(AuditEvent.type == type_)
                                               .order_by(AuditEvent.id))]


def test_days_are_entered_changed_and_move_deadlines(session, demo) -> None:  # noqa: ANN001
    admin = user(session, "admin")
    set_calendar_day(session, admin, date(2030, 10, 1), False, "  国庆节 ")
    set_calendar_day(session, admin, date(2030, 9, 29), True, "调休上班")
    set_calendar_day(session, admin, date(2030, 9, 29), False, "改为休息")  # the same day again: changed in place
    session.commit()
    assert [(d.day, d.is_working, d.note) for d in calendar_days(session)] == [
        (date(2030, 10, 1), False, "国庆节"), (date(2030, 9, 29), False, "改为休息")]
    assert events(session, "calendar.day_set") == [
        {"day": "2030-10-01", "is_working": False, "note": "国庆节"},
        {"day": "2030-09-29", "is_working": True, "note": "调休上班"},
        {"day": "2030-09-29", "is_working": False, "note": "改为休息"}]
    # Mon Sep 30 2030 + 1 working day: Tue Oct 1 is now a holiday, so Wed Oct 2.
    due = compute_due(sh(9, 30, 10, year=2030), Period(1, "working_days"), load_calendar(session))
    assert due.at == end_of(10, 2, year=2030) and due.provisional


def test_publishing_a_year_ends_provisional_deadlines(session, demo) -> None:  # noqa: ANN001
    admin = user(session, "admin")
    start, period = sh(3, 4, 10, year=2030), Period(1, "working_days")
    assert compute_due(start, period, load_calendar(session)).provisional
    publish_year(session, admin, 2030)
    session.commit()
    assert not compute_due(start, period, load_calendar(session)).provisional
    publish_year(session, admin, 2030, published=False)  # withdrawn: provisional again
    publish_year(session, admin, 2031)
    session.commit()
    assert [(y.year, y.published) for y in calendar_years(session)] == [(2031, True), (2030, False)]
    assert compute_due(start, period, load_calendar(session)).provisional
    assert events(session, "calendar.year_published") == [
        {"year": 2030, "published": True}, {"year": 2030, "published": False}, {"year": 2031, "published": True}]


def test_only_admins_change_the_calendar_and_years_are_bounded(session, demo) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDeniedError):
        set_calendar_day(session, user(session, "jd_supervisor"), date(2030, 1, 1), False)
    with pytest.raises(PermissionDeniedError):
        publish_year(session, user(session, "jd_msa_leader"), 2030)
    with pytest.raises(InvalidDataError):
        publish_year(session, user(session, "admin"), 1999)
    with pytest.raises(InvalidDataError):
        set_calendar_day(session, user(session, "admin"), date(2201, 1, 1), False)
    assert calendar_days(session) == [] and calendar_years(session) == []
    set_calendar_day(session, None, date(2030, 1, 1), False, "元旦")  # the set-up script acts without a user
    assert [d.note for d in calendar_days(session)] == ["元旦"]


def test_covered_years_are_those_of_chinese_calendar() -> None:
    first, last = covered_years()
    assert first == 2004 and last >= 2026
