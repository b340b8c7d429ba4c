"""Copies (抄送): when a task with `copyTo` completes, the agencies of those lanes get sight of the instance.

A copy is part of the step that completed the task. Its lanes are resolved before the step
writes anything, like the lanes of new work items; when one names no agency, the instance stops
in error and the copy waits in the instance state (`xietong_pending_copies`) until an admin
resumes the instance, so a copy the law requires is never dropped silently. Compaction of the
engine state keeps the tasks those ids name (their data resolves the lanes) until the copy is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.directory.assignment import resolve_lane
from workflows.engine.runtime import find_task
from workflows.engine.settings import ProcessInfo
from workflows.messages import message
from workflows.models import Agency, ProcessInstance, User, WorkItem
from workflows.models.notice import COPY_RECEIVED
from workflows.work.notices import send
from workflows.work.participation import add_participant

PENDING = "xietong_pending_copies"


@dataclass
class PlannedCopy:
    """One copy lane of a completed task, resolved to its agency."""

    lane: str
    agency: Agency
    work_item: WorkItem | None  # the item whose completion sends the copy


def pending_copies(instance: ProcessInstance) -> list[str]:
    """Engine task ids whose copies a stopped step could not send yet."""
    return list((instance.state or {}).get(PENDING, []))


_ITEM_OF_TASK = select(WorkItem).where(WorkItem.instance_id == bindparam("instance_id"),
                                       WorkItem.engine_task_id == bindparam("task_id"))


def plan_copies(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, info: ProcessInfo,
                task_ids: list[str]) -> list[PlannedCopy]:
    """Resolve the copy lanes of completed tasks (reads only; LaneResolutionError when one names no agency)."""
    planned = []
    for task_id in task_ids:
        task = find_task(workflow, task_id)
        if task is None:
            continue
        item = session.scalars(_ITEM_OF_TASK, {"instance_id": instance.id, "task_id": task_id}).first()
        for lane_id in info.tasks[task.task_spec.bpmn_id].copy_to:
            agency = resolve_lane(session, info.lanes[lane_id], task.data, instance)
            planned.append(PlannedCopy(lane=lane_id, agency=agency, work_item=item))
    return planned


def send_copies(session: Session, actor: User | None, instance: ProcessInstance, planned: list[PlannedCopy]) -> None:
    """Give each copy's agency sight of the instance, and tell it: a formal 抄送 is never silent.

    An agency that already takes part (it holds a work item, it was told before) still gets the
    notice and the audit event; only its participation, which it has, is not added again.
    """
    for copy in planned:
        first = add_participant(session, instance, copy.agency, "copy")
        item = copy.work_item
        record(session, "instance.copied", actor=actor, instance=instance, work_item=item,
               payload={"agency": copy.agency.id, "lane": copy.lane, "already_participant": not first})
        send(session, kind=COPY_RECEIVED, agency=copy.agency, instance=instance, work_item=item,
             title=message("notice_copy_received", case=instance.title, task=item.title) if item
             else message("notice_copy_received_case", case=instance.title),
             payload={"lane": copy.lane})
