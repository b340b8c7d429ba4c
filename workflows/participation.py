"""Which agencies take part in an instance, and so may see it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.models import Agency, InstanceParticipant, ProcessInstance, User

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


def can_view(session: Session, user: User, instance: ProcessInstance) -> bool:
    """Admins and supervisors see all; others see instances their agency takes part in."""
    if user.oversees:
        return True
    return session.get(InstanceParticipant, (instance.id, user.agency_id)) is not None


def visible_instance_ids(user: User):  # noqa: ANN201 - a SQLAlchemy select
    """A sub-select of the instance ids the user's agency takes part in."""
    return select(InstanceParticipant.instance_id).where(InstanceParticipant.agency_id == user.agency_id)
