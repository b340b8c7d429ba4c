"""Work-item lists: the agency queue, mine, overdue, completed by me.

Each list reads one index in its own order and stops after a page (models/work_item.py names
them), and loads what it shows with the items in the same statement: the instance without its
engine state, its definition, the agency, the assignee and who completed the item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import Session, joinedload

from workflows.clock import now
from workflows.deadlines.due_status import end_of_today
from workflows.models import Agency, ProcessInstance, User, WorkItem, WorkItemSupervision
from workflows.models.work_item import IS_ACTIVE, IS_CLAIMED, IS_COMPLETED, IS_OPEN, SUPERVISING, URGENCY
from workflows.paging import KEYSET, Page, by_keyset, by_offset, decode, offset_of

VIEWS = ("queue", "mine", "overdue", "completed")
DUE_FILTERS = ("overdue", "due_today", "provisional")

# Who an item names, loaded with it (their agency types and users' agencies are not shown).
PEOPLE = (joinedload(WorkItem.candidate_agency).lazyload(Agency.type),
          joinedload(WorkItem.assignee).lazyload(User.agency),
          joinedload(WorkItem.completed_by).lazyload(User.agency))
# What a list shows of each item: the people and the instance, without its engine state.
SHOWN = (joinedload(WorkItem.instance).defer(ProcessInstance.state), *PEOPLE)


def urgency(item: WorkItem) -> tuple[Any, ...]:
    """The sort key of URGENCY in Python: earliest due first (none last), higher priority, older item."""
    return item.due_at is None, item.due_at or datetime.max, -item.priority, item.id


def _due(stmt: Select, due: str | None, at: datetime) -> Select:
    """Narrow active items to a due status, as `workflows.deadlines.due_status` defines them."""
    if due == "overdue":
        return stmt.where(WorkItem.due_at <= at)
    if due == "due_today":
        return stmt.where(WorkItem.due_at > at, WorkItem.due_at <= end_of_today(at))
    if due == "provisional":
        return stmt.where(WorkItem.due_provisional.is_(True))
    return stmt


def _active(user: User, view: str, at: datetime) -> Select:
    """The filter of an active view; each matches the condition of the partial index that serves it."""
    stmt = select(WorkItem)
    if view == "queue":  # what the user could claim now
        return stmt.where(IS_OPEN, WorkItem.may_act(user))
    if view == "mine":
        return stmt.where(IS_CLAIMED, WorkItem.assignee_id == user.id)
    stmt = stmt.where(IS_ACTIVE, WorkItem.due_at < at)  # overdue: every agency's for overseers
    return stmt if user.oversees else stmt.where(WorkItem.candidate_agency_id == user.agency_id)


def _supervised(user: User, at: datetime) -> Select:
    """Overdue items of other agencies that the user's agency supervises (escalateTo), most urgent first."""
    watch = WorkItemSupervision
    return (select(WorkItem).join(watch, watch.work_item_id == WorkItem.id)
            # An item extended after its miss stays in sight (docs/diagrams.md §5.2).
            .where(SUPERVISING, watch.agency_id == user.agency_id, IS_ACTIVE,
                   or_(WorkItem.due_at < at, WorkItem.missed_at.is_not(None)),
                   WorkItem.candidate_agency_id != user.agency_id)
            .order_by(watch.due_at, watch.priority.desc(), watch.work_item_id))


def _read(session: Session, stmt: Select, process_key: str | None, limit: int) -> list[WorkItem]:
    if process_key:
        stmt = stmt.where(WorkItem.process_key == process_key)
    return list(session.scalars(stmt.options(*SHOWN).limit(limit)))


def _active_page(session: Session, user: User, view: str, process_key: str | None, due: str | None,
                 limit: int, offset: int) -> Page[WorkItem]:
    """An active view, most urgent first, by offset: these lists are as long as the open work."""
    at = now()
    stmt = _due(_active(user, view, at), due, at)
    if view != "overdue" or user.oversees:
        rows = _read(session, stmt.order_by(*URGENCY).offset(offset), process_key, limit + 1)
        return by_offset(rows, limit, offset)
    # The agency's own overdue items and those it supervises: two index reads, merged.
    wanted = offset + limit + 1
    rows = _read(session, stmt.order_by(*URGENCY), process_key, wanted)
    rows += _read(session, _due(_supervised(user, at), due, at), process_key, wanted)
    return by_offset(sorted(rows, key=urgency)[offset:offset + limit + 1], limit, offset)


def _completed_page(session: Session, user: User, process_key: str | None, limit: int, offset: int,
                    after: str | None) -> Page[WorkItem]:
    """Completed by the user, newest first, by keyset on (completed_at, id): a history as long as a career."""
    stmt = select(WorkItem).where(IS_COMPLETED, WorkItem.completed_by_id == user.id)
    if after is not None:
        at, item_id = decode(after, KEYSET, (datetime, int))
        stmt = stmt.where(tuple_(WorkItem.completed_at, WorkItem.id) < (at, item_id))
    stmt = stmt.order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).offset(offset if after is None else 0)
    return by_keyset(_read(session, stmt, process_key, limit + 1), limit, lambda i: (i.completed_at, i.id))


def page_work_items(session: Session, user: User, view: str = "queue", process_key: str | None = None,
                    limit: int = 50, offset: int = 0, *, due: str | None = None,
                    after: str | None = None) -> Page[WorkItem]:
    """One page of a view and the cursor of the next; `after` (a cursor) takes precedence over `offset`.

    A due-status filter applies to active work: completed items have no due status, so none match.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    if due is not None and due not in DUE_FILTERS:
        raise ValueError(f"unknown due status {due!r}")
    if view == "completed":
        return Page([]) if due else _completed_page(session, user, process_key, limit, offset, after)
    return _active_page(session, user, view, process_key, due, limit, offset_of(after, offset))


def list_work_items(session: Session, user: User, view: str = "queue", process_key: str | None = None,
                    limit: int = 50, offset: int = 0) -> list[WorkItem]:
    """Work items of one view, most urgent first (completed: newest first)."""
    return page_work_items(session, user, view, process_key, limit, offset).rows
