"""After the engine ran: store the state, bring work items in line with the READY tasks, schedule timers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.clock import now
from workflows.deadlines.calendar import Due, HolidayCalendar
from workflows.deadlines.due_times import (
    DeadlineStartError,
    calendar_loader,
    due_by_date,
    due_for,
    reminder_for,
    timer_deadline,
)
from workflows.deadlines.periods import PeriodError
from workflows.deployment.definitions import compiled
from workflows.directory.assignment import LaneResolutionError, resolve_lane
from workflows.engine.compaction import compacted_state
from workflows.engine.runtime import (
    EngineError,
    completed_task_ids,
    deadline_timers,
    next_timer_due,
    ready_user_tasks,
    set_timer_due,
    snapshot_data,
)
from workflows.engine.serialization import STATE_FORMAT
from workflows.engine.settings import DeadlineRule, ProcessInfo
from workflows.errors import InvalidDataError
from workflows.messages import Message, as_message, message
from workflows.models import Agency, ProcessInstance, User, WorkItem
from workflows.models.notice import TASK_ARRIVED
from workflows.models.process import InstanceStatus
from workflows.models.work_item import ACTIVE_STATUSES, CANCELLED, OPEN
from workflows.scripting.storable import MAX_DEPTH, data_problem
from workflows.work.copies import PENDING, pending_copies, plan_copies, send_copies
from workflows.work.measures import passed, record_measures, set_outcome
from workflows.work.notices import notify_lanes, render_title, send
from workflows.work.participation import add_participant
from workflows.work.prefills import PrefillError, prefilled
from workflows.work.rows import insert_row, update_row

RUNNING, COMPLETED, ERROR = InstanceStatus.RUNNING, InstanceStatus.COMPLETED, InstanceStatus.ERROR

# What a caller does with the engine: run it, given the `deadline` function for timer expressions.
EngineAction = Callable[[Callable[[str, Any], str]], None]


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Task data as plain JSON (dates and decimals become strings)."""
    return json.loads(json.dumps(data, default=str))


def storable_input(data: dict[str, Any], code: str = "form_has_errors") -> dict[str, Any]:
    """Submitted data as plain JSON; refused with the message `code` (422) where task data could not store it.

    The same rule as for what scripts leave (workflows.scripting.storable): a submission must not
    be able to stop its case in error, nor make the state unstorable.
    """
    try:
        safe = json_safe(data)
    except (RecursionError, ValueError) as err:  # nested past what the encoder follows; a cycle
        raise InvalidDataError(code, {"data": [message("field_nested_too_deep", limit=MAX_DEPTH)]}) from err
    found = data_problem(safe)
    if found:
        raise InvalidDataError(code, {found[0]: [found[1]]})
    return safe


def save_state(instance: ProcessInstance, workflow: BpmnWorkflow, pending_copies: list[str] | None = None) -> None:
    """Store the engine state, the case data snapshot, copies still to send and the engine's next timer.

    The stored tree is compacted: completed history the engine no longer reads is dropped (it lives
    in the work items and the audit trail), except the tasks of copies still to send.
    """
    data = json_safe(snapshot_data(workflow))
    state = compacted_state(workflow, instance.state, pending_copies or [])
    state["xietong_data"] = data
    if pending_copies:
        state[PENDING] = pending_copies
    instance.state = state
    instance.state_format = STATE_FORMAT
    instance.engine_timer_due_at = next_timer_due(workflow)
    instance.next_timer_due_at = instance.engine_timer_due_at
    instance.updated_at = now()


def schedule(instance: ProcessInstance, active_items: Iterable[WorkItem]) -> None:
    """When the timer worker must next look at the instance: engine timers and deadline watches."""
    if instance.status != RUNNING:
        instance.next_timer_due_at = None
        return
    due = [at for at in (item.next_watch() for item in active_items) if at is not None]
    if instance.engine_timer_due_at is not None:
        due.append(instance.engine_timer_due_at)
    instance.next_timer_due_at = min(due) if due else None


_ACTIVE_ITEMS = select(WorkItem).where(WorkItem.instance_id == bindparam("instance_id"),
                                      WorkItem.status.in_(ACTIVE_STATUSES))


def active_items(session: Session, instance: ProcessInstance) -> list[WorkItem]:
    """The instance's open and claimed work items, as this session sees them.

    No autoflush: the status filter runs again in Python, so an item completed or cancelled in
    this session but not yet flushed is left out all the same (the identity map holds its new status).
    """
    with session.no_autoflush:
        rows = session.scalars(_ACTIVE_ITEMS, {"instance_id": instance.id})
        return [item for item in rows if item.status in ACTIVE_STATUSES]


def mark_error(session: Session, instance: ProcessInstance, reason: Message, actor: User | None) -> None:
    """Stop an instance visibly, with the reason, instead of letting it hang.

    A reason naming a data field also carries the field's title from the forms (`field_title`): the
    pages name the field as its form does, the API's English keeps the key an admin corrects.
    """
    field = reason.params.get("field")
    if isinstance(field, str) and "field_title" not in reason.params:
        title = compiled(session, instance.definition).field_title(field)
        if title:
            reason = Message(reason.code, {**reason.params, "field_title": title})
    instance.status = ERROR
    instance.error_reason = reason.english
    instance.error_message = {"code": reason.code, "params": reason.params}
    instance.next_timer_due_at = None
    instance.updated_at = now()
    record(session, "instance.error", actor=actor, instance=instance,
           payload={"reason": reason.english, "message": instance.error_message})


def _carried_extension(session: Session, instance: ProcessInstance, task_name: str,
                       original: datetime) -> tuple[datetime, int]:
    """The due time and extension count a repeated task inherits from its earlier rounds.

    A task met again in a loop (another mediation session) whose period counts from the same date
    in the case data has the same legal period: an extension granted on an earlier round still
    holds, and counts against `maxExtensions`.
    """
    earlier = session.scalars(select(WorkItem).where(
        WorkItem.instance_id == instance.id, WorkItem.task_name == task_name, WorkItem.original_due_at == original,
        WorkItem.extension_count > 0).order_by(WorkItem.id.desc()).limit(1)).first()
    return (earlier.due_at, earlier.extension_count) if earlier is not None else (original, 0)


@dataclass
class _PlannedItem:
    """A work item worked out for a READY task but not written yet."""

    item: WorkItem
    agency: Agency
    timers: list[Any]  # the task's `due_at` boundary timers, set to the item's due time when it is written
    task: Any  # the engine task, which gets the prefilled values in its data when the item is written


def _due_of(rule: DeadlineRule | None, data: dict[str, Any], created: datetime,
            calendar: Callable[[], HolidayCalendar]) -> Due | None:
    """A task's due time: the end of a day named in the data (deadlineDate), or its period run out."""
    if rule is None:
        return None
    if rule.until:
        return due_by_date(rule.until, data)
    return due_for(rule.period, rule.counts_from, data, created, calendar) if rule.period else None


def _plan_item(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, task: Any,
               calendar: Callable[[], HolidayCalendar]) -> _PlannedItem:
    """The work item for a READY task: the lane's agency, the due time and reminder (reads only)."""
    info = compiled(session, instance.definition).info
    settings = info.tasks[task.task_spec.bpmn_id]
    agency = resolve_lane(session, info.lane_of(settings), task.data, instance)
    created = now()
    rule = settings.deadline
    due = _due_of(rule, task.data, created, calendar)
    due_at, extensions = (due.at, 0) if due else (None, 0)
    if due and rule is not None and rule.counts_from and rule.extension:
        due_at, extensions = _carried_extension(session, instance, settings.id, due.at)
    item = WorkItem(
        instance_id=instance.id, engine_task_id=str(task.id), task_name=settings.id,
        title=_title(session, settings.name, settings.title_agency, task.data),
        process_key=instance.definition.key,
        lane=settings.lane, candidate_agency_id=agency.id, required_role=settings.role, status=OPEN,
        priority=settings.priority, deadline=_deadline_text(rule, task.data), due_at=due_at,
        original_due_at=due.at if due else None, due_provisional=bool(due and due.provisional),
        extension_count=extensions,
        remind_at=reminder_for(due_at, created, rule.remind_before) if due and rule else None,
        form_name=settings.form, created_at=created,
        prefilled=prefilled(session, settings.id, settings.prefill, task.data, agency) if settings.prefill else None,
    )
    timers = deadline_timers(workflow, task, info.timers_of(settings.id)) if due else []
    return _PlannedItem(item=item, agency=agency, timers=timers, task=task)


def _title(session: Session, name: str, field: str | None, data: dict[str, Any]) -> str:
    """The item's title: the task's name, with the name of the agency a data field names (titleAgency)."""
    code = data.get(field) if field else None
    agency = session.scalars(select(Agency).where(Agency.code == str(code))).first() if code else None
    return f"{name}（{agency.name}）"[:200] if agency is not None else name


def _deadline_text(rule: DeadlineRule | None, data: dict[str, Any]) -> str | None:
    """What the item shows as its deadline: the period, or the day it is due by."""
    if rule is None:
        return None
    return str(rule.period) if rule.period else str(data.get(rule.until or ""))[:50]


def _create(session: Session, instance: ProcessInstance, planned: _PlannedItem) -> WorkItem:
    """Write a planned item, give its agency sight of the instance, and arm the task's deadline timers."""
    for timer in planned.timers:
        set_timer_due(timer, planned.item.due_at)
    if planned.item.prefilled:
        planned.task.data.update(planned.item.prefilled)
    insert_row(session, planned.item)
    add_participant(session, instance, planned.agency, "work_item")
    return planned.item


def sync_work_items(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, actor: User | None,
                    calendar: Callable[[], HolidayCalendar]) -> tuple[list[WorkItem], list[WorkItem]]:
    """Cancel items whose task is gone, add items for new READY tasks; return (active, new) items.

    Every new item's lane and due time is worked out before anything is written: when one lane
    names no agency, the step stops with nothing half done (no item for the other tasks that a
    liaison could claim on a stopped case, no cancellation); resuming creates them all.
    """
    active = active_items(session, instance)
    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    known = {item.engine_task_id for item in active}
    planned = [_plan_item(session, instance, workflow, task, calendar)
               for tid, task in ready.items() if tid not in known]
    kept = []
    for item in active:
        if item.engine_task_id in ready:
            kept.append(item)
        else:
            item.status, item.completed_at = CANCELLED, now()
            update_row(session, item)
            record(session, "work_item.cancelled", actor=actor, instance=instance, work_item=item)
    created = [_create(session, instance, p) for p in planned]
    return kept + created, created


def advance(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, actor: User | None,
            calendar: Callable[[], HolidayCalendar], copies: list[str] | None = None) -> None:
    """Persist the engine's new state: work items, copies of completed tasks, completion, timers, or a visible error.

    `copies` are the engine task ids whose copyTo lanes receive a copy in this step.
    """
    info = compiled(session, instance.definition).info
    try:
        planned = plan_copies(session, instance, workflow, info, copies or [])
        items, created = sync_work_items(session, instance, workflow, actor, calendar)
    except (LaneResolutionError, DeadlineStartError, PeriodError, PrefillError) as err:  # PeriodError: stored unbounded
        save_state(instance, workflow, pending_copies=copies)
        mark_error(session, instance, as_message(err), actor)
        return
    save_state(instance, workflow)  # after the sync, which writes due times into `due_at` timers
    if workflow.is_completed():
        instance.status, instance.completed_at = COMPLETED, now()
        record(session, "instance.completed", actor=actor, instance=instance)
    schedule(instance, items)
    update_row(session, instance)  # checks the version read at lock time: a concurrent step raises here
    for item in created:
        record(session, "work_item.created", actor=actor, instance=instance, work_item=item,
               payload={"task": item.task_name, "agency": item.candidate_agency_id, "role": item.required_role,
                        "due_at": item.due_at.isoformat() if item.due_at else None})
        _arrival_notice(session, actor, instance, item)
    send_copies(session, actor, instance, planned)


def _arrival_notice(session: Session, actor: User | None, instance: ProcessInstance, item: WorkItem) -> None:
    """A task arriving from elsewhere (another agency's step, a timer) is told to its agency's users of its role.

    One notice per item; none for an item the acting user's own agency gets (they see it in their queue).
    """
    if actor is not None and actor.agency_id == item.candidate_agency_id:
        return
    agency = session.get(Agency, item.candidate_agency_id)
    send(session, kind=TASK_ARRIVED, agency=agency, role=item.required_role, instance=instance, work_item=item,
         title=message("notice_task_arrived", task=item.title, case=instance.title),
         payload={"task": item.task_name, "due_at": item.due_at.isoformat() if item.due_at else None})


def _element_notices(session: Session, instance: ProcessInstance, info: ProcessInfo,
                     finished: dict[str, str]) -> None:
    """Send the notices of diagram elements (`notify`) that completed in this step."""
    if not finished:
        return
    data = instance.state.get("xietong_data", {})
    for task_id, element in finished.items():
        notice = info.notices[element]
        notify_lanes(session, instance, info, notice.notify, data, kind=notice.kind,
                     title=render_title(notice.title, data), payload={"element": element, "task": task_id})


def run_step(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, actor: User | None,
             action: EngineAction) -> bool:
    """Run the engine through `action`, then persist everything it changed; False if it failed.

    The notices of diagram elements that completed during the run go out after the state is saved.
    """
    # The step writes its rows itself (workflows.work.rows); an autoflush before each of its queries
    # would only inspect the session again, and nothing read here depends on unflushed rows.
    with session.no_autoflush:
        return _run_step(session, instance, workflow, actor, action)


def _run_step(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, actor: User | None,
              action: EngineAction) -> bool:
    calendar = calendar_loader(session)
    info = compiled(session, instance.definition).info
    noticed, copied = set(info.notices), info.copy_sources
    before, counted_before = completed_task_ids(workflow, noticed | copied), passed(workflow, info)
    try:
        action(timer_deadline(calendar))
        failure = None
    except EngineError as err:
        failure = err
    finished = {k: v for k, v in completed_task_ids(workflow, noticed | copied).items() if k not in before}
    counted = passed(workflow, info).since(counted_before)
    set_outcome(instance, info, counted)  # before the instance row is written
    # Copies a stopped step could not send are due now, with those of the tasks completed in this one
    # (a task may complete and a script after it fail: its copy then waits for the resume too).
    copies = pending_copies(instance) + [task_id for task_id, element in finished.items() if element in copied]
    if failure is not None:
        save_state(instance, workflow, pending_copies=copies)
        mark_error(session, instance, as_message(failure), actor)
    else:
        advance(session, instance, workflow, actor, calendar, copies)
    # The elements that completed are completed in the saved state, stopped or not: a resume
    # never completes them again, so their notices go out now or never.
    _element_notices(session, instance, info, {k: v for k, v in finished.items() if v in noticed})
    record_measures(session, instance, info, counted, actor)
    return instance.status != ERROR

