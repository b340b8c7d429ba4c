"""Recording audit events; every state change calls this in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflows.models import AuditEvent, ProcessInstance, User, WorkItem


def record(session: Session, type_: str, *, actor: User | None = None,
           instance: ProcessInstance | None = None, work_item: WorkItem | None = None,
           payload: dict[str, Any] | None = None) -> AuditEvent:
    """Append one audit event (the caller's transaction commits it with the change)."""
    instance_id = instance.id if instance else (work_item.instance_id if work_item else None)
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        agency_id=actor.agency_id if actor else None,
        instance_id=instance_id,
        work_item_id=work_item.id if work_item else None,
        type=type_,
        payload=payload or {},
    )
    session.add(event)
    return event
