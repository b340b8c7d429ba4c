"""Recording audit events; every state change calls this in the same transaction."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.models import AuditEvent, ProcessInstance, User, WorkItem

# A plain INSERT on the session's connection: events are never read back or changed in the
# transaction that writes them, so they need no ORM identity, and a step records several.
_INSERT = insert(AuditEvent.__table__)
# session.info key: how many events of each type the open transaction recorded, so that the app's
# metrics count work once it is committed (app/metrics.py); nothing here depends on who reads it.
RECORDED_TYPES = "audit.recorded_types"


def record(session: Session, type_: str, *, actor: User | None = None,
           instance: ProcessInstance | None = None, work_item: WorkItem | None = None,
           payload: dict[str, Any] | None = None) -> None:
    """Append one audit event (the caller's transaction commits it with the change)."""
    instance_id = instance.id if instance else (work_item.instance_id if work_item else None)
    session.connection().execute(_INSERT, {
        "occurred_at": now(),
        "actor_id": actor.id if actor else None,
        "agency_id": actor.agency_id if actor else None,
        "instance_id": instance_id,
        "work_item_id": work_item.id if work_item else None,
        "type": type_,
        "payload": payload or {},
    })
    session.info.setdefault(RECORDED_TYPES, Counter())[type_] += 1
