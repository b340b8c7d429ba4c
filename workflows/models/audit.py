"""The append-only audit trail of every state change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, JSONType, UTCDateTime
from workflows.models.agency import Agency
from workflows.models.user import User


class AuditEvent(Base):
    """Who did what, for which agency, on which instance or work item, and when.

    Events form one hash chain in `chain_seq` order (workflows/audit/chain.py): each `hash` covers
    the event's content and the previous event's hash, so a changed or missing row shows.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # when
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: the system
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # the actor's agency then
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))  # the case, if any
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))  # the item, if any
    type: Mapped[str] = mapped_column(String(50), index=True)  # e.g. work_item.completed
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # details of the change
    chain_seq: Mapped[int] = mapped_column(BigInteger, unique=True)  # place in the chain: 1, 2, 3, ... no gaps
    hash: Mapped[str] = mapped_column(String(64))  # SHA-256 (hex) of the content and the previous event's hash

    actor: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper: object, connection: object, target: AuditEvent) -> None:
    """Keep the trail append-only at the ORM level (a trigger does it in PostgreSQL)."""
    raise AuditImmutableError(f"audit event {target.id} is append-only")
