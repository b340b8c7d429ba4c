"""Work-item lists: the agency queue, mine, overdue, completed by me."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.models import Notice, ProcessDefinition, ProcessInstance, User, WorkItem
from workflows.models.notice import DEADLINE_MISSED
from workflows.models.work_item import ACTIVE_STATUSES, CLAIMED, COMPLETED, OPEN


def list_work_items(session: Session, user: User, view: str = "queue", process_key: str | None = None,
                    limit: int = 50, offset: int = 0) -> list[WorkItem]:
    """Work items of one view, most urgent first (overdue views see all agencies for overseers)."""
    stmt = select(WorkItem)
    if view == "queue":  # what the user could claim now
        stmt = stmt.where(WorkItem.candidate_agency_id == user.agency_id, WorkItem.status == OPEN,
                          WorkItem.required_role.in_(user.roles or []))
    elif view == "mine":
        stmt = stmt.where(WorkItem.assignee_id == user.id, WorkItem.status == CLAIMED)
    elif view == "overdue":  # the agency's own, and those it supervises (escalateTo)
        stmt = stmt.where(WorkItem.status.in_(ACTIVE_STATUSES), WorkItem.due_at < now())
        if not user.oversees:
            escalated = select(Notice.work_item_id).where(Notice.agency_id == user.agency_id,
                                                          Notice.kind == DEADLINE_MISSED)
            stmt = stmt.where(or_(WorkItem.candidate_agency_id == user.agency_id, WorkItem.id.in_(escalated)))
    elif view == "completed":
        stmt = stmt.where(WorkItem.completed_by_id == user.id, WorkItem.status == COMPLETED)
    else:
        raise ValueError(f"unknown view {view!r}")
    if process_key:
        stmt = stmt.join(ProcessInstance, WorkItem.instance_id == ProcessInstance.id).join(
            ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id).where(
            ProcessDefinition.key == process_key)
    order = [WorkItem.completed_at.desc()] if view == "completed" else \
        [WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.priority.desc(), WorkItem.id]
    return list(session.scalars(stmt.order_by(*order).limit(limit).offset(offset)))
