"""Recorded extensions (延长) of a work item's deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, UTCDateTime
from workflows.models.user import User


class DeadlineExtension(Base):
    """A leader's decision to give a work item more time: who, why, from when to when."""

    __tablename__ = "deadline_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id"), index=True)  # the item extended
    previous_due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the due time it replaced
    new_due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the due time from now on
    new_due_provisional: Mapped[bool] = mapped_column(default=False)  # counted over an unpublished year
    reason: Mapped[str] = mapped_column(Text)  # why more time is needed
    approved_by: Mapped[str] = mapped_column(String(200))  # the approving person as named on record
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # the leader who recorded it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)  # the statistics count by it

    recorded_by: Mapped[User] = relationship()
