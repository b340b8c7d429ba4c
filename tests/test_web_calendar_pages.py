"""The holiday-calendar admin pages through the test client: they call workflows.deadlines.holidays and commit."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from app.extensions import db
from tests.test_web_pages import csrf_token, sign_in
from workflows.models import CalendarDay, CalendarYear


def post(client: FlaskClient, path: str, data: dict) -> str:
    """POST an admin form with its CSRF token; follow the redirect and return the page."""
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/calendar")},
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_admin_enters_a_holiday_and_publishes_a_year(app, client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    page = post(client, "/admin/calendar/days", {"day": "2030-10-01", "kind": "holiday", "note": "国庆节"})
    assert "2030-10-01" in page and "国庆节" in page
    assert "2031" in post(client, "/admin/calendar/years", {"year": "2031", "published": "1"})
    with app.app_context():
        assert [(d.day, d.is_working) for d in db.session.query(CalendarDay)] == [(date(2030, 10, 1), False)]
        assert [(y.year, y.published) for y in db.session.query(CalendarYear)] == [(2031, True)]


def test_bad_dates_and_years_are_refused_without_changes(app, client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    assert "请输入有效日期" in post(client, "/admin/calendar/days", {"day": "2030-13-01", "kind": "holiday"})
    assert "请输入年份" in post(client, "/admin/calendar/years", {"year": "1999"})
    with app.app_context():
        assert db.session.query(CalendarDay).count() == 0 and db.session.query(CalendarYear).count() == 0


def test_calendar_pages_are_for_admins(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "jd_supervisor")
    assert client.get("/admin/calendar").status_code == 403
