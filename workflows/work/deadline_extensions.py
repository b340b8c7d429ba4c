"""Extensions (延长) of a work item's deadline, recorded by a leader where the diagram allows them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflows.audit import record
from workflows.clock import now
from workflows.deadlines.due_times import calendar_loader, extended_due, reminder_for
from workflows.deployment.definitions import compiled
from workflows.engine.runtime import deadline_timers, find_task, restore_workflow, set_timer_due
from workflows.engine.settings import DEFAULT_EXTENSION_ROLE, DeadlineRule, ExtensionRule, ProcessInfo
from workflows.errors import ConflictError, DomainError, InvalidDataError, PermissionDeniedError
from workflows.messages import message
from workflows.models import DeadlineExtension, User, WorkItem
from workflows.models.notice import DEADLINE_EXTENDED
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.work.notices import notify_lanes, send
from workflows.work.steps import RUNNING, active_items, save_state, schedule
from workflows.work.work_items import lock_for_change

MAX_REASON = 2000


def extensions_of(session: Session, item: WorkItem) -> list[DeadlineExtension]:
    """The item's recorded extensions, oldest first."""
    return list(session.scalars(select(DeadlineExtension).where(DeadlineExtension.work_item_id == item.id)
                                .order_by(DeadlineExtension.id)))


def _allowed(actor: User, item: WorkItem, rule: DeadlineRule | None,
             at: datetime | None = None) -> tuple[DeadlineRule, ExtensionRule]:
    """The item's deadline rule and the extension the actor may record now; the reason why not otherwise.

    Who may extend what: a user with the extension role in the item's agency, within the diagram's limit,
    before the due time runs out (after it only where the diagram says `lateExtension`).
    """
    if not item.in_agency_of(actor):
        raise PermissionDeniedError("extension_other_agency")
    extension = rule.extension if rule is not None else None
    role = extension.role if extension is not None else DEFAULT_EXTENSION_ROLE
    if not actor.has_role(role):
        raise PermissionDeniedError("extension_needs_role", role=role)
    if item.status not in ACTIVE_STATUSES:
        raise ConflictError("work_item_status", id=item.id, status=item.status)
    if rule is None or extension is None or item.due_at is None:
        raise ConflictError("extension_not_allowed")
    if item.extension_count >= extension.max_count:
        raise ConflictError("extension_count_reached", count=item.extension_count)
    if is_late(item, at or now()) and not extension.late:
        raise InvalidDataError("extension_too_late", {"reason": [message("field_extension_before_due")]})
    return rule, extension


def is_late(item: WorkItem, at: datetime) -> bool:
    """Whether an extension recorded at `at` comes after the due time (a period ending at 24:00 is in time at it)."""
    return item.due_at is not None and item.due_at < at


def may_extend(actor: User, item: WorkItem, rule: DeadlineRule | None) -> bool:
    """Whether the actor may record an extension now (pages offer the form only then)."""
    try:
        _allowed(actor, item, rule)
    except DomainError:
        return False
    return True


def _move_timers(session: Session, item: WorkItem, info: ProcessInfo, due: datetime) -> None:
    """Move the task's `due_at` boundary timers with the deadline (the instance state changes)."""
    timers = info.timers_of(item.task_name)
    if not timers:
        return
    instance = item.instance
    workflow = restore_workflow(compiled(session, instance.definition).specs(), instance.state)
    task = find_task(workflow, item.engine_task_id)
    for timer in deadline_timers(workflow, task, timers) if task is not None else []:
        set_timer_due(timer, due)
    save_state(instance, workflow)


def extend_deadline(session: Session, actor: User, item: WorkItem, reason: str, approved_by: str | None = None,
                    new_due: datetime | None = None) -> DeadlineExtension:
    """Record an extension: the due time and timers move, the original stays on the item, supervisors are told.

    The new due time is the diagram's extension period counted on from the current due time; a leader
    may set an earlier one, never a later one.
    """
    instance = lock_for_change(session, item, load_instance=True)
    info = compiled(session, instance.definition).info
    at = now()
    rule, allowed = _allowed(actor, item, info.deadline_of(item.task_name), at)
    if instance.status != RUNNING:
        raise ConflictError("instance_not_running", status=instance.status)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        length = message("field_length", low=1, high=MAX_REASON)
        raise InvalidDataError("extension_reason_missing", {"reason": [length]})
    longest = extended_due(item.due_at, allowed.period, calendar_loader(session))
    due, provisional = longest.at, longest.provisional
    if new_due is not None:
        if new_due.tzinfo is None:
            raise InvalidDataError("due_time_naive", {"new_due_at": [message("field_add_offset")]})
        if not item.due_at < new_due <= longest.at:
            raise InvalidDataError("due_time_out_of_range", {"new_due_at": [message("field_outside_extension")]},
                                   after=item.due_at.isoformat(), latest=longest.at.isoformat(),
                                   period=str(allowed.period))
        due = new_due
    extension = DeadlineExtension(work_item_id=item.id, previous_due_at=item.due_at, new_due_at=due,
                                  new_due_provisional=provisional, reason=reason,
                                  approved_by=(approved_by or "").strip()[:200] or actor.display_name,
                                  recorded_by_id=actor.id, created_at=at)
    session.add(extension)
    was_overdue, late = item.overdue_at is not None, is_late(item, at)
    if late:  # the miss stays: the statistics count the item late, its supervisors keep watching it
        item.missed_at = item.missed_at or item.due_at
    item.due_at, item.due_provisional, item.extension_count = due, provisional, item.extension_count + 1
    item.overdue_at, item.reminded_at = None, None  # the new due time is watched (and escalated) afresh
    item.remind_at = reminder_for(due, at, rule.remind_before)
    _move_timers(session, item, info, due)
    schedule(instance, active_items(session, instance))
    session.flush()
    payload = {"previous_due_at": extension.previous_due_at.isoformat(), "new_due_at": due.isoformat(),
               "original_due_at": item.original_due_at.isoformat() if item.original_due_at else None,
               "reason": reason, "approved_by": extension.approved_by, "was_overdue": was_overdue, "late": late}
    if late:
        payload["missed_at"] = item.missed_at.isoformat()
        payload["late_by_seconds"] = int((at - extension.previous_due_at).total_seconds())
    record(session, "work_item.extended", actor=actor, instance=instance, work_item=item, payload=payload)
    title = message("notice_deadline_extended_late" if late else "notice_deadline_extended", task=item.title,
                    case=instance.title)
    if item.assignee_id and item.assignee_id != actor.id:
        send(session, kind=DEADLINE_EXTENDED, agency=actor.agency, user=item.assignee, title=title,
             instance=instance, work_item=item, payload=payload)
    notify_lanes(session, instance, info, rule.escalate_to, instance.state.get("xietong_data", {}),
                 kind=DEADLINE_EXTENDED, title=title, work_item=item, payload=payload, participation="supervision")
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError("instance_changed") from err
    return extension
