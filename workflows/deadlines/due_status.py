"""Where an active work item stands against its due time: overdue, due today, later, or no deadline.

One definition for the queue's badges, the instance diagram and the supervisors' dashboard, so a
count on the dashboard always matches the items marked in the lists.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from workflows.clock import now
from workflows.deadlines.calendar import SHANGHAI
from workflows.models import WorkItem
from workflows.models.work_item import ACTIVE_STATUSES

OVERDUE, DUE_TODAY, LATER, NO_DEADLINE = "overdue", "due_today", "later", "none"
BUCKETS = (OVERDUE, DUE_TODAY, LATER, NO_DEADLINE)


def end_of_today(at: datetime) -> datetime:
    """24:00 of the Shanghai day containing `at`, where a legal day ends (stored as 00:00 of the next day)."""
    return datetime.combine(at.astimezone(SHANGHAI).date() + timedelta(days=1), time(), SHANGHAI)


def due_state(item: WorkItem, at: datetime | None = None) -> str | None:
    """overdue, due_today or None for an active item; None also for finished ones."""
    if item.due_at is None or item.status not in ACTIVE_STATUSES:
        return None
    at = at or now()
    if item.due_at <= at:
        return OVERDUE
    if item.due_at <= end_of_today(at):
        return DUE_TODAY
    return None


def due_bucket(item: WorkItem, at: datetime | None = None) -> str:
    """The dashboard's bucket of an active item: overdue, due_today, later or none."""
    return due_state(item, at) or (LATER if item.due_at is not None else NO_DEADLINE)
