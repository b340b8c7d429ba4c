"""Which agencies take part in an instance, and so may see it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import Agency, InstanceParticipant, ProcessInstance, User


def add_participant(session: Session, instance: ProcessInstance, agency: Agency, reason: str) -> bool:
    """Record an agency's participation once; tell whether it is new."""
    if session.get(InstanceParticipant, (instance.id, agency.id)) is not None:
        return False
    session.add(InstanceParticipant(instance_id=instance.id, agency_id=agency.id, reason=reason))
    return True


def can_view(session: Session, user: User, instance: ProcessInstance) -> bool:
    """Admins and supervisors see all; others see instances their agency takes part in."""
    if user.oversees:
        return True
    return session.get(InstanceParticipant, (instance.id, user.agency_id)) is not None


def visible_instance_ids(user: User):  # noqa: ANN201 - a SQLAlchemy select
    """A sub-select of the instance ids the user's agency takes part in."""
    return select(InstanceParticipant.instance_id).where(InstanceParticipant.agency_id == user.agency_id)
