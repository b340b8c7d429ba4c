"""Where each agency stands in a case's tracked tasks (`trackPerAgency`, docs/diagrams.md §4).

A reporting round asks many agencies for the same work, one work item each (a multi-instance task or
sub-process). The tasks that make up an agency's part declare `trackPerAgency`; the case's page then
lists, per agency, the latest of its items of those tasks and whether it was done by its due time. No
process is named here: what is tracked is read from the diagram.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows.clock import now
from workflows.deployment.definitions import compiled
from workflows.models import Agency, ProcessInstance, WorkItem
from workflows.models.work_item import CANCELLED, COMPLETED

ON_TIME, LATE, DONE, OPEN, OVERDUE = "on_time", "late", "done", "open", "overdue"


@dataclass(frozen=True)
class AgencyProgress:
    """An agency's latest tracked item and where it stands: on_time, late, done (no deadline), open, overdue."""

    agency: Agency
    item: WorkItem
    state: str


def _state(item: WorkItem) -> str:
    if item.status == COMPLETED:
        if item.due_at is None:
            return DONE
        # A deadline missed and extended afterwards stays missed, as the statistics count it.
        return ON_TIME if item.completed_at is not None and item.completed_at <= item.due_at and \
            item.missed_at is None else LATE
    return OVERDUE if item.overdue_at is not None or item.missed_at is not None or (
        item.due_at is not None and now() > item.due_at) else OPEN


def agency_progress(session: Session, instance: ProcessInstance) -> list[AgencyProgress]:
    """Per agency (by code), its latest item of the tasks the diagram tracks; empty when it tracks none."""
    tracked = sorted(task.id for task in compiled(session, instance.definition).info.tasks.values()
                     if task.track_per_agency)
    if not tracked:
        return []
    items = session.scalars(select(WorkItem).options(selectinload(WorkItem.candidate_agency))
                            .where(WorkItem.instance_id == instance.id, WorkItem.task_name.in_(tracked),
                                   WorkItem.status != CANCELLED).order_by(WorkItem.id))
    latest = {item.candidate_agency_id: item for item in items}
    rows = [AgencyProgress(item.candidate_agency, item, _state(item)) for item in latest.values()]
    return sorted(rows, key=lambda row: row.agency.code)
