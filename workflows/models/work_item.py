"""Work items: the READY user tasks of instances, queued for an agency and role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, JSONType, UTCDateTime
from workflows.models.agency import Agency
from workflows.models.process import ProcessInstance
from workflows.models.user import User

OPEN, CLAIMED, COMPLETED, CANCELLED = "open", "claimed", "completed", "cancelled"
ACTIVE_STATUSES = (OPEN, CLAIMED)


class WorkItem(Base):
    """One user task waiting for (or done by) a user of the candidate agency."""

    __tablename__ = "work_item"
    __table_args__ = (
        Index("ix_work_item_queue", "candidate_agency_id", "status"),
        Index("ix_work_item_assignee", "assignee_id", "status"),
        Index("ix_work_item_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)  # its case
    engine_task_id: Mapped[str] = mapped_column(String(36), index=True)  # SpiffWorkflow task UUID
    task_name: Mapped[str] = mapped_column(String(100))  # BPMN element id
    title: Mapped[str] = mapped_column(String(200))  # BPMN element name
    lane: Mapped[str | None] = mapped_column(String(100))  # lane id in the diagram
    candidate_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # whose queue it is in
    required_role: Mapped[str] = mapped_column(String(50))  # role needed to act on it
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # who claimed it
    status: Mapped[str] = mapped_column(String(20), default=OPEN)  # open, claimed, completed, cancelled
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher is more urgent
    deadline: Mapped[str | None] = mapped_column(String(50))  # the period as declared, e.g. "3 days"
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the period runs out
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # holidays not yet published
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # due time before any extension
    extension_count: Mapped[int] = mapped_column(Integer, default=0)  # extensions recorded so far
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when "deadline approaching" is due
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when that notice went out
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the worker marked it overdue
    form_name: Mapped[str | None] = mapped_column(String(200))  # JSON Schema file of the definition
    submitted_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # what the completer sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # became READY
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last claim
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # completion or cancellation
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # who completed it

    instance: Mapped[ProcessInstance] = relationship()
    candidate_agency: Mapped[Agency] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    def next_watch(self) -> datetime | None:
        """The next instant the timer worker must look at this item's deadline (None: nothing pending)."""
        if self.status not in ACTIVE_STATUSES or self.due_at is None or self.overdue_at is not None:
            return None
        if self.remind_at is not None and self.reminded_at is None and self.remind_at < self.due_at:
            return self.remind_at
        return self.due_at

    def is_overdue(self, at: datetime) -> bool:
        """Tell whether an active item has passed its due time."""
        return self.status in ACTIVE_STATUSES and self.due_at is not None and self.due_at < at
