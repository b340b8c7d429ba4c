"""The marks on an instance's diagram: completed, active and overdue elements.

Completed and active come from the engine state (every element kind, not only user tasks, including the
elements whose tasks compaction dropped); overdue comes from the open work items, since only they carry
due times.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from workflows.deadlines.due_status import OVERDUE, due_state
from workflows.deployment.definitions import compiled
from workflows.engine import element_states as engine_marks
from workflows.engine.compaction import completed_elements
from workflows.engine.runtime import restore_workflow
from workflows.models import ProcessInstance, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES, COMPLETED
from workflows.work.instances import instance_work_items

COMPLETED_MARK, ACTIVE_MARK, OVERDUE_MARK = engine_marks.COMPLETED, engine_marks.ACTIVE, OVERDUE

log = logging.getLogger(__name__)


def _from_work_items(items: list[WorkItem]) -> dict[str, str]:
    """User-task marks only, for a state the engine cannot read."""
    states: dict[str, str] = {}
    for item in items:
        if item.status == COMPLETED:
            states.setdefault(item.task_name, COMPLETED_MARK)
        elif item.status in ACTIVE_STATUSES:
            states[item.task_name] = ACTIVE_MARK
    return states


def engine_states(session: Session, instance: ProcessInstance) -> dict[str, str] | None:
    """Completed and active element ids from the stored engine state; None if it cannot be read."""
    if not (instance.state or {}).get("tasks"):
        return None
    try:
        workflow = restore_workflow(compiled(session, instance.definition).specs(), instance.state)
    except Exception:  # the page must still open for an instance whose state is broken: that is when people look
        log.warning("instance %s: engine state unreadable, diagram marks from work items", instance.id, exc_info=True)
        return None
    return engine_marks.element_states(workflow, completed_elements(instance.state))


def diagram_states(session: Session, instance: ProcessInstance, items: list[WorkItem] | None = None,
                   at: datetime | None = None) -> dict[str, str]:
    """Element id -> completed, active or overdue (an active user task past its due time).

    `items` are the instance's work items where the caller has them already.
    """
    items = instance_work_items(session, instance) if items is None else items
    states = engine_states(session, instance)
    if states is None:
        states = _from_work_items(items)
    for item in items:
        if item.status in ACTIVE_STATUSES and due_state(item, at) == OVERDUE:
            states[item.task_name] = OVERDUE_MARK
    return states
