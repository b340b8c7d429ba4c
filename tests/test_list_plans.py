"""Every list and the dashboard read an index that serves their filter and order, on both backends.

Each call below runs as the pages and the API run it; every SELECT it sends is then explained
(`tests.plans`): on PostgreSQL after ANALYZE with sequential scans and sorts disabled, so any full
scan or sort left in a plan is one no index can avoid; on SQLite with EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Select, select

from app.extensions import db
from tests.lists_data import READ_AT, ListData
from tests.plans import capture, check
from workflows.models import ProcessInstance, User
from workflows.work.dashboard import overview
from workflows.work.instances import count_instances, page_instances
from workflows.work.notices import page_notices, unread_count
from workflows.work.queues import page_work_items
from workflows.work.steps import RUNNING
from workflows.work.work_items import get_work_item


def _calls(data: ListData) -> dict[str, Callable[[], Any]]:
    """The list reads of a liaison, a supervising agency, a leader and a supervisor (second pages included)."""
    session = db.session
    liaison, procurator, leader, supervisor = (data.user(name) for name in (
        "jd_msa_liaison", "jd_procurator", "jd_msa_leader", "jd_supervisor"))

    def second(first: Callable[..., Any]) -> Callable[[], Any]:
        return lambda: first(after=first(limit=1).next, limit=1)

    return {
        **{f"{view} of {who.username}": (lambda v=view, u=who: page_work_items(session, u, v))
           for view in ("queue", "mine", "overdue", "completed") for who in (liaison, supervisor)},
        **{f"queue due {due}": (lambda d=due: page_work_items(session, liaison, "queue", due=d))
           for due in ("overdue", "due_today", "provisional")},
        "queue of a process": lambda: page_work_items(session, liaison, "queue", "case_transfer"),
        "queue page 2": lambda: page_work_items(session, liaison, "queue", limit=1, offset=1),
        "supervised overdue": lambda: page_work_items(session, procurator, "overdue"),
        "completed page 2": second(lambda **kw: page_work_items(session, liaison, "completed", **kw)),
        "supervisor opens a supervised item": lambda: _supervised_item(session, data, procurator),
        **{f"instances of {who.username} {status}": (lambda u=who, s=status: page_instances(session, u, status=s))
           for who in (liaison, supervisor) for status in (None, "running", "error")},
        "instances page 2": second(lambda **kw: page_instances(session, liaison, **kw)),
        "instances page 2 (supervisor)": second(lambda **kw: page_instances(session, supervisor, **kw)),
        **{f"cases in error counted for {who.username}": (lambda u=who: count_instances(session, u, status="error"))
           for who in (leader, supervisor)},
        "notices": lambda: page_notices(session, liaison),
        "unread notices": lambda: page_notices(session, liaison, unread_only=True),
        "notices page 2": second(lambda **kw: page_notices(session, liaison, **kw)),
        "unread count": lambda: unread_count(session, liaison),
        "unread badge": lambda: unread_count(session, liaison, cap=100),
        **{f"dashboard of {who.username}": (lambda u=who: overview(session, u, at=READ_AT))
           for who in (leader, supervisor)},
        "timer worker's due instances": lambda: session.scalars(_due_instances()).all(),
    }


def _due_instances() -> Select:
    """What the timer worker walks: running instances due now, in (next_timer_due_at, id) order (status bound)."""
    due = ProcessInstance.next_timer_due_at
    return (select(ProcessInstance.id).where(ProcessInstance.status == RUNNING, due < READ_AT)
            .order_by(due, ProcessInstance.id).limit(10))


def _supervised_item(session, data: ListData, procurator: User) -> None:  # noqa: ANN001
    overdue = page_work_items(session, procurator, "overdue").rows
    session.expunge_all()  # the item must be loaded and its supervision looked up, not found in memory
    get_work_item(session, data.user("jd_procurator"), overdue[0].id)


@pytest.fixture
def lists(app: Flask, shipped: dict[str, int]) -> ListData:  # noqa: ANN001
    """Two rows in every list."""
    data = ListData(shipped)
    with app.app_context():
        data.grow(2)
    return data


@pytest.mark.committed  # EXPLAIN runs on a connection of its own, which must see the rows
def test_an_index_serves_every_list_and_the_dashboard(app: Flask, lists: ListData) -> None:
    with app.app_context():
        calls = _calls(lists)
        assert len(calls) >= 30  # every list of the API and the pages, so none is skipped silently
        statements = capture(db.engine, calls)
        db.session.rollback()  # SQLite: the explaining connection needs the lock the session holds
        # PostgreSQL over a handful of rows: the brief's rule (no full scan, no sort), not the strict
        # one of bench.scale, which checks the same statements at a million work items.
        problems = check(db.engine, statements, strict=db.engine.dialect.name == "sqlite")
    assert problems == {}
