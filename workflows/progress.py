"""After the engine ran: store the state and bring work items in line with the READY tasks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.assignment import LaneResolutionError, resolve_lane
from workflows.audit import record
from workflows.calendar import HolidayCalendar
from workflows.clock import now
from workflows.deadlines import DeadlineStartError, due_for
from workflows.definitions import compiled
from workflows.engine.runtime import next_timer_due, ready_user_tasks, snapshot_data
from workflows.engine.serialization import STATE_FORMAT, state_to_dict
from workflows.models import ProcessInstance, User, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES, CANCELLED, OPEN
from workflows.participation import add_participant

RUNNING, COMPLETED, ERROR = "running", "completed", "error"


def json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Task data as plain JSON (dates and decimals become strings)."""
    return json.loads(json.dumps(data, default=str))


def save_state(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Store the engine state, the case data snapshot and the next timer."""
    state = state_to_dict(workflow)
    state["xietong_data"] = json_safe(snapshot_data(workflow))
    instance.state = state
    instance.state_format = STATE_FORMAT
    instance.next_timer_due_at = next_timer_due(workflow)
    instance.updated_at = now()


def mark_error(session: Session, instance: ProcessInstance, reason: str, actor: User | None) -> None:
    """Stop an instance visibly, with the reason, instead of letting it hang."""
    instance.status = ERROR
    instance.error_reason = reason
    instance.updated_at = now()
    record(session, "instance.error", actor=actor, instance=instance, payload={"reason": reason})


def _new_item(session: Session, instance: ProcessInstance, task: Any,
              calendar: Callable[[], HolidayCalendar]) -> WorkItem:
    """A work item for a READY task, queued at the lane's agency with its due time."""
    meta = compiled(session, instance.definition).meta
    info = meta["tasks"][task.task_spec.bpmn_id]
    lane = meta["lanes"][info["lane"]]
    agency = resolve_lane(session, lane, task.data, instance)
    created = now()
    due = due_for(info["deadline"], info["deadline_from"], task.data, created, calendar)
    item = WorkItem(
        instance_id=instance.id, engine_task_id=str(task.id), task_name=info["id"], title=info["name"],
        lane=info["lane"], candidate_agency_id=agency.id, required_role=info["role"], status=OPEN,
        priority=int(info["priority"]), deadline=info["deadline"], due_at=due.at if due else None,
        due_provisional=bool(due and due.provisional), form_name=info["form"], created_at=created,
    )
    session.add(item)
    add_participant(session, instance, agency, "work_item")
    return item


def sync_work_items(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
                    actor: User | None, calendar: Callable[[], HolidayCalendar]) -> list[WorkItem]:
    """Cancel items whose task is gone, create items for new READY tasks; return the new ones."""
    active = session.scalars(select(WorkItem).where(
        WorkItem.instance_id == instance.id, WorkItem.status.in_(ACTIVE_STATUSES))).all()
    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    for item in active:
        if item.engine_task_id not in ready:
            item.status, item.completed_at = CANCELLED, now()
            record(session, "work_item.cancelled", actor=actor, instance=instance, work_item=item)
    known = {item.engine_task_id for item in active}
    created = [_new_item(session, instance, task, calendar) for tid, task in ready.items() if tid not in known]
    session.flush()
    for item in created:
        record(session, "work_item.created", actor=actor, instance=instance, work_item=item,
               payload={"task": item.task_name, "agency": item.candidate_agency_id, "role": item.required_role,
                        "due_at": item.due_at.isoformat() if item.due_at else None})
    return created


def advance(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
            actor: User | None, calendar: Callable[[], HolidayCalendar]) -> None:
    """Persist the engine's new state: work items, completion, or a visible error."""
    save_state(instance, workflow)
    try:
        sync_work_items(session, instance, workflow, actor, calendar)
    except (LaneResolutionError, DeadlineStartError) as err:
        mark_error(session, instance, str(err), actor)
        return
    if workflow.is_completed():
        instance.status, instance.completed_at = COMPLETED, now()
        record(session, "instance.completed", actor=actor, instance=instance)
