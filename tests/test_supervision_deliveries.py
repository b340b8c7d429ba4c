"""Who supervises a missed deadline and until when; notices delivered to the users there when sent."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from tests.helpers import Case, allow_late_extension, end_of, sh
from tests.test_case_transfer_paths import ACCEPT, FILE, to_police
from tests.test_web_pages import sign_in
from workflows.clock import set_clock
from workflows.models import Agency, User, WorkItemSupervision
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.notices import list_notices, mark_all_read, send, unread_count
from workflows.work.queues import list_work_items
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import get_work_item


def _missed(session, shipped, *, late_extension: bool = False) -> Case:  # noqa: ANN001
    """The 嘉定 police decision, due 24:00 Mon Mar 9, missed and escalated to the procuratorate on Tue 09:00."""
    if late_extension:
        allow_late_extension(session)
    case = Case(session, shipped, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    set_clock(lambda: sh(3, 10, 9))
    fire_due_timers(session)
    return case


def test_the_supervising_agency_watches_until_the_item_is_done(session, shipped) -> None:  # noqa: ANN001
    case = _missed(session, shipped)
    item, procurator = case.item(), case.user("jd_procurator")
    (watch,) = session.scalars(select(WorkItemSupervision))
    assert (watch.work_item_id, watch.agency_id, watch.due_at, watch.ended_at) == (
        item.id, session.scalars(select(Agency.id).where(Agency.code == "jd_procuratorate")).one(), end_of(3, 9), None)
    assert [i.id for i in list_work_items(session, procurator, "overdue")] == [item.id]
    case.step("task_decide", "jd_police_leader", FILE, agency="jd_police", role="leader", due=end_of(3, 9),
              at=sh(3, 10, 11), created=sh(3, 4, 9))
    session.expire_all()
    assert session.get(WorkItemSupervision, (item.id, watch.agency_id)).ended_at == sh(3, 10, 11)
    assert list_work_items(session, procurator, "overdue") == []  # done: no longer in the overdue view
    assert get_work_item(session, procurator, item.id).id == item.id  # ...but the item stays open to read


def test_a_later_miss_renews_the_watch_with_the_new_due_time(session, shipped) -> None:  # noqa: ANN001
    case = _missed(session, shipped, late_extension=True)
    item = case.item()
    extend_deadline(session, case.user("jd_police_leader"), item, "案情重大复杂", "陈刚")
    session.commit()
    set_clock(lambda: end_of(4, 7) + timedelta(minutes=5))
    fire_due_timers(session)
    (watch,) = session.scalars(select(WorkItemSupervision))
    assert (watch.due_at, watch.since, watch.ended_at) == (end_of(4, 7), sh(3, 10, 9), None)


def test_a_notice_reaches_the_users_there_when_it_is_sent(session, shipped, create_user) -> None:  # noqa: ANN001
    msa = session.scalars(select(Agency).where(Agency.code == "jd_msa")).one()
    liaison, leader = (session.get(User, shipped[name]) for name in ("jd_msa_liaison", "jd_msa_leader"))
    send(session, kind="case_filed", agency=msa, title="to all")
    send(session, kind="case_filed", agency=msa, role="leader", title="to leaders")
    send(session, kind="case_filed", agency=msa, user=liaison, title="to one")
    newcomer = create_user("jd_msa_new", roles=["leader"])
    session.commit()
    titles = {user.username: [n.title for n, _ in list_notices(session, user)] for user in (liaison, leader, newcomer)}
    # A user who joins later receives what is sent from then on, not the agency's older notices.
    assert titles == {"jd_msa_liaison": ["to one", "to all"], "jd_msa_leader": ["to leaders", "to all"],
                      "jd_msa_new": []}
    assert mark_all_read(session, leader) == 2 and unread_count(session, leader) == 0
    assert unread_count(session, liaison) == 2


def test_the_header_counts_at_most_99_unread(app: Flask, shipped) -> None:  # noqa: ANN001
    with app.app_context():
        msa = db.session.scalars(select(Agency).where(Agency.code == "jd_msa")).one()
        for number in range(100):
            send(db.session, kind="case_filed", agency=msa, title=f"notice {number}")
        db.session.commit()
    client = app.test_client()
    sign_in(client, "jd_msa_liaison")
    badge = re.search(r'data-testid="unread-count">([^<]*)<', client.get("/work-items").get_data(as_text=True))
    assert badge and badge.group(1) == "99+"
    assert client.get("/api/v1/notices/unread-count").get_json() == {"unread": 100}  # the API counts them all
