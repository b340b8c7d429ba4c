"""Deadline watch of work items: reminders before the due time, and the overdue mark and escalation after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.deployment.definitions import compiled
from workflows.messages import Message, message
from workflows.models import Agency, Notice, ProcessInstance, WorkItem
from workflows.models.notice import DEADLINE_APPROACHING, DEADLINE_MISSED
from workflows.work.notices import notify_lanes, send
from workflows.work.participation import supervise


def _holder_notice(session: Session, item: WorkItem, kind: str, title: Message,
                   payload: dict[str, Any]) -> Notice:
    """A notice to whoever holds the item: its assignee once claimed, else the agency's users of its role."""
    agency = session.get(Agency, item.candidate_agency_id)
    return send(session, kind=kind, agency=agency, role=None if item.assignee_id else item.required_role,
                user=item.assignee, title=title, instance=item.instance, work_item=item, payload=payload)


def _remind(session: Session, item: WorkItem, at: datetime) -> None:
    """The deadline is approaching: tell the holder once."""
    item.reminded_at = at
    _holder_notice(session, item, DEADLINE_APPROACHING,
                   message("notice_deadline_approaching", task=item.title, case=item.instance.title),
                   {"due_at": item.due_at.isoformat()})
    record(session, "work_item.reminded", work_item=item, payload={"due_at": item.due_at.isoformat()})


def _escalate(session: Session, instance: ProcessInstance, item: WorkItem, at: datetime) -> None:
    """The deadline passed with the item open: mark it overdue, tell its holder and its supervisors once."""
    item.overdue_at = at
    item.missed_at = item.missed_at or item.due_at  # kept when a late extension moves the due time
    info = compiled(session, instance.definition).info
    rule = info.deadline_of(item.task_name)
    title = message("notice_deadline_missed", task=item.title, case=instance.title)
    payload = {"due_at": item.due_at.isoformat(), "original_due_at": item.original_due_at.isoformat()
               if item.original_due_at else None, "task": item.task_name}
    sent = [_holder_notice(session, item, DEADLINE_MISSED, title, payload)]
    escalated = notify_lanes(session, instance, info, rule.escalate_to if rule else (),
                             instance.state.get("xietong_data", {}), kind=DEADLINE_MISSED, title=title,
                             work_item=item, payload=payload, participation="supervision")
    # The supervisors find the item in their overdue view and may open it: a row each, not the notice history.
    supervise(session, item, [n.agency_id for n in escalated], at)
    sent += escalated
    session.flush()
    record(session, "work_item.overdue", instance=instance, work_item=item,
           payload={**payload, "notified": [{"agency": n.agency_id, "role": n.role, "user": n.user_id}
                                            for n in sent]})


def watch_deadlines(session: Session, instance: ProcessInstance, items: list[WorkItem], at: datetime) -> None:
    """Act on every reminder and due time of the instance's active items that has passed at `at`.

    The comparison is strict, as the engine's own timers are: a period ending at 24:00 is missed after it.
    """
    for item in items:
        if item.due_at is None or item.overdue_at is not None:
            continue
        if item.due_at < at:
            _escalate(session, instance, item, at)
        elif item.remind_at is not None and item.reminded_at is None and item.remind_at < at:
            _remind(session, item, at)
