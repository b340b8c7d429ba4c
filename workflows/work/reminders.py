"""催办: an agency supervising an overdue work item (escalateTo) reminds the late agency, at most once a day.

The supervising agency sees why the item is before it — the deadline it missed, when, by how much, and
which agency holds it — and may send a reminder: a notice of kind `reminder` to whoever holds the item
(its assignee once claimed, else its agency's users of the item's role), recorded in the audit trail.
One reminder per item per Shanghai calendar day, whoever sends it: a second one that day is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.clock import now
from workflows.deadlines.calendar import SHANGHAI
from workflows.errors import ConflictError, PermissionDeniedError
from workflows.messages import message
from workflows.models import Agency, Notice, User, WorkItem, WorkItemSupervision
from workflows.models.notice import REMINDER
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.work.notices import send
from workflows.work.work_items import lock_for_change


@dataclass(frozen=True)
class Supervised:
    """Why an item is before its supervising agency: the deadline it missed and who is late."""

    item: WorkItem
    missed_at: datetime  # the due time it let pass
    late_agency: Agency  # the agency holding the item
    since: datetime  # when the supervising agency was told (escalated)
    last_reminder: datetime | None  # the last reminder sent for the item, by any supervising agency

    @property
    def active(self) -> bool:
        """Still open or claimed: a reminder still makes sense."""
        return self.item.status in ACTIVE_STATUSES


def _watch(session: Session, user: User, item: WorkItem) -> WorkItemSupervision | None:
    return session.get(WorkItemSupervision, (item.id, user.agency_id))


def _last_reminder(session: Session, item: WorkItem) -> datetime | None:
    return session.scalar(select(Notice.created_at).where(Notice.work_item_id == item.id, Notice.kind == REMINDER)
                          .order_by(Notice.created_at.desc()).limit(1))


def supervised(session: Session, user: User, item: WorkItem) -> Supervised | None:
    """Why the user's agency supervises the item (None: it does not)."""
    watch = _watch(session, user, item)
    if watch is None:
        return None
    return Supervised(item, item.missed_at or watch.due_at, item.candidate_agency, watch.since,
                      _last_reminder(session, item))


def supervised_in(session: Session, user: User, items: list[WorkItem]) -> dict[int, Supervised]:
    """Of the given items, those the user's agency supervises, by item id."""
    found = {}
    for item in items:
        why = supervised(session, user, item)
        if why is not None:
            found[item.id] = why
    return found


def _day_start(at: datetime) -> datetime:
    """00:00 in Shanghai of the day `at` falls on."""
    local = at.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def send_reminder(session: Session, actor: User, item: WorkItem) -> Notice:
    """The supervising agency reminds the late agency of an overdue item (催办); once per item per day."""
    if _watch(session, actor, item) is None:
        raise PermissionDeniedError("reminder_not_supervising")
    lock_for_change(session, item)
    if item.status not in ACTIVE_STATUSES:
        raise ConflictError("work_item_status", id=item.id, status=item.status)
    at = now()
    last = _last_reminder(session, item)
    if last is not None and last >= _day_start(at):
        tomorrow = _day_start(at) + timedelta(days=1)
        raise ConflictError("reminder_sent_today", day=tomorrow.strftime("%Y-%m-%d"))
    missed = item.missed_at or item.due_at
    payload = {"from_agency": actor.agency.code, "missed_at": missed.isoformat() if missed else None,
               "task": item.task_name}
    notice = send(session, kind=REMINDER, agency=item.candidate_agency,
                  role=None if item.assignee_id else item.required_role, user=item.assignee,
                  title=message("notice_reminder", task=item.title, case=item.instance.title, agency=actor.agency.name),
                  instance=item.instance,
                  work_item=item, payload=payload)
    record(session, "work_item.reminder_sent", actor=actor, instance=item.instance, work_item=item,
           payload={**payload, "to_agency": item.candidate_agency.code, "notice": notice.id})
    return notice
