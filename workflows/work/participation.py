"""Which agencies take part in an instance, and so may see it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.models import Agency, InstanceParticipant, ProcessInstance, User, WorkItem, WorkItemSupervision

# The project runs on these two; both skip a duplicate row with ON CONFLICT DO NOTHING. Whether
# a row went in is read from RETURNING: psycopg reports no row count for this statement.
_TABLE = InstanceParticipant.__table__
_ADD = {name: dialect.insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.agency_id)
        for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}


def add_participant(session: Session, instance: ProcessInstance, agency: Agency, reason: str) -> bool:
    """Record an agency's participation once; tell whether it is new.

    One INSERT that does nothing when the row exists, instead of a read and a write: a step adds
    several agencies, and this needs no flush of the pending changes before it.
    """
    result = session.connection().execute(_ADD[session.get_bind().dialect.name], {
        "instance_id": instance.id, "agency_id": agency.id, "reason": reason, "since": now()})
    return result.first() is not None


def _supervision_upsert(dialect: Any) -> Any:
    """Start watching an item, or watch it again after a later miss (new due time, not ended)."""
    stmt = dialect.insert(WorkItemSupervision.__table__)
    return stmt.on_conflict_do_update(index_elements=["work_item_id", "agency_id"], set_={
        "due_at": stmt.excluded.due_at, "priority": stmt.excluded.priority, "ended_at": None})


_SUPERVISE = {name: _supervision_upsert(dialect) for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}


def supervise(session: Session, item: WorkItem, agency_ids: Iterable[int], at: datetime) -> None:
    """The agencies told of the item's missed deadline (escalateTo) watch it from now on, until it ends."""
    rows = [{"work_item_id": item.id, "agency_id": agency_id, "since": at, "due_at": item.due_at,
             "priority": item.priority, "ended_at": None} for agency_id in sorted(set(agency_ids))]
    if rows:
        session.connection().execute(_SUPERVISE[session.get_bind().dialect.name], rows)


def can_view(session: Session, user: User, instance: ProcessInstance) -> bool:
    """Admins and supervisors see all; others see instances their agency takes part in."""
    if user.oversees:
        return True
    return session.get(InstanceParticipant, (instance.id, user.agency_id)) is not None
