"""催办 (issue 16 item 4): the agency supervising an overdue item sees why and reminds the late agency, once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from tests.test_conditional_fields import _at_acceptance, _item_of
from tests.test_web_pages import post, sign_in
from workflows.clock import now, set_clock
from workflows.models import AuditEvent, Notice, WorkItem
from workflows.work.timer_worker import fire_due_timers

POLICE = "上海市公安局嘉定分局"


def _later(app: Flask, days: float) -> None:
    moment = now() + timedelta(days=days)
    set_clock(lambda: moment)
    with app.app_context():
        fire_due_timers(db.session)
        db.session.commit()


@pytest.fixture
def overdue(app: Flask, client: FlaskClient, auth, shipped) -> int:  # noqa: ANN001
    """嘉定 police let the 24-hour acceptance pass: the item is escalated to 嘉定 procuratorate (escalateTo)."""
    instance_id = _at_acceptance(app, "JD-REMIND-1")
    item = _item_of(client, auth.headers("jd_police_liaison"), instance_id, "task_accept")
    _later(app, 2)
    auth._tokens.clear()  # the tokens taken before did not last the two days
    return item


def _reminders(app: Flask, item: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notice.kind).where(Notice.work_item_id == item,
                                                                 Notice.kind == "reminder")))


def test_the_supervising_agency_reminds_the_late_agency_once_a_day(app: Flask, client: FlaskClient, auth,  # noqa: ANN001
                                                                   overdue: int) -> None:
    procurator = auth.headers("jd_procurator")
    sent = client.post(f"/api/v1/work-items/{overdue}/reminders", headers=procurator)
    assert sent.status_code == 201, sent.get_json()
    assert (sent.get_json()["kind"], sent.get_json()["agency"]) == ("reminder", "jd_police")
    police = client.get("/api/v1/notices", headers=auth.headers("jd_police_liaison")).get_json()
    assert [n["work_item_id"] for n in police if n["kind"] == "reminder"] == [overdue]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.work_item_id == overdue,
                                                             AuditEvent.type == "work_item.reminder_sent")).all()
        assert len(events) == 1 and events[0].payload["to_agency"] == "jd_police"
        assert events[0].payload["from_agency"] == "jd_procuratorate"

    again = client.post(f"/api/v1/work-items/{overdue}/reminders", headers=auth.headers("jd_procur_leader"))
    assert again.status_code == 409  # once per item per day, whoever of the agency sends it
    assert again.get_json()["message"].startswith("a reminder for this work item was already sent today")
    _later(app, 1)
    auth._tokens.clear()
    assert client.post(f"/api/v1/work-items/{overdue}/reminders",
                       headers=auth.headers("jd_procurator")).status_code == 201
    assert _reminders(app, overdue) == ["reminder", "reminder"]


def test_only_the_supervising_agency_may_remind(client: FlaskClient, auth, overdue: int) -> None:  # noqa: ANN001
    # The transferring bureau takes part in the case but does not supervise the item; nor does an overseer.
    assert client.post(f"/api/v1/work-items/{overdue}/reminders",
                       headers=auth.headers("jd_msa_liaison")).status_code == 403
    refused = client.post(f"/api/v1/work-items/{overdue}/reminders", headers=auth.headers("jd_supervisor"))
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "only an agency supervising this work item sends it a reminder"
    assert client.post(f"/api/v1/work-items/{overdue}/reminders",
                       headers=auth.headers("jd_police_liaison")).status_code == 403  # the late agency itself
    assert client.post(f"/api/v1/work-items/{overdue}/reminders").status_code == 401


def test_a_finished_item_takes_no_reminder(client: FlaskClient, auth, overdue: int) -> None:  # noqa: ANN001
    police = auth.headers("jd_police_liaison")
    client.post(f"/api/v1/work-items/{overdue}/claim", headers=police)
    data = {"acceptance": "accept", "receipt_no": "嘉公回〔2026〕9号"}
    assert client.post(f"/api/v1/work-items/{overdue}/complete", json={"data": data}, headers=police).status_code == 200
    late = client.post(f"/api/v1/work-items/{overdue}/reminders", headers=auth.headers("jd_procurator"))
    assert late.status_code == 409 and late.get_json()["message"] == f"work item {overdue} is completed"


def test_the_item_and_case_pages_say_why_and_offer_the_reminder(app: Flask, client: FlaskClient,  # noqa: ANN001
                                                                overdue: int) -> None:
    sign_in(client, "jd_procurator")
    page = client.get(f"/work-items/{overdue}").get_data(as_text=True)
    card = page[page.index('data-testid="supervision"'):]
    assert POLICE in card[:card.index("</section>")] and "已超期" in card
    assert 'data-testid="send-reminder"' in page
    with app.app_context():
        instance_id = db.session.get(WorkItem, overdue).instance_id
    case = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert f'data-testid="supervision" data-item="{overdue}"' in case
    sent = post(client, f"/work-items/{overdue}/reminders", {"next": f"/instances/{instance_id}"})
    assert sent.status_code == 302 and sent.location == f"/instances/{instance_id}"
    assert 'data-testid="last-reminder"' in client.get(sent.location).get_data(as_text=True)
    twice = post(client, f"/work-items/{overdue}/reminders")
    assert twice.status_code == 302 and _reminders(app, overdue) == ["reminder"]
    refused = client.get(twice.location).get_data(as_text=True)
    assert "今日已催办" in refused and "already sent" not in refused  # said in the page language


def test_the_supervision_card_reads_in_english_on_an_english_page(app: Flask, client: FlaskClient,  # noqa: ANN001
                                                                   overdue: int) -> None:
    sign_in(client, "jd_procurator")
    client.get("/language/en")
    page = client.get(f"/work-items/{overdue}").get_data(as_text=True)
    card = page[page.index('data-testid="supervision"'):]
    card = card[:card.index("</section>")]
    assert "missed the deadline of" in card and "Send a reminder to" in card
    interface = card.replace(POLICE, "")  # the agency's name is data, in the directory's language
    assert not any("\u4e00" <= char <= "\u9fff" for char in interface), interface
