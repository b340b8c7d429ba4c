"""In-app notices to an agency, a role within it, or one user; and who has read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, JSONType, UTCDateTime
from workflows.models.agency import Agency
from workflows.models.process import ProcessInstance

# Kinds the system itself sends; diagrams may send any other short code (`noticeKind`).
COPY_RECEIVED = "copy_received"
DEADLINE_APPROACHING = "deadline_approaching"
DEADLINE_MISSED = "deadline_missed"
DEADLINE_EXTENDED = "deadline_extended"


class Notice(Base):
    """Something an agency should know: a copy received, a case filed, a deadline approaching or missed.

    Addressed to one user (user_id), or to the users of an agency holding a role, or to the whole agency.
    """

    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_agency", "agency_id", "id"),
        Index("ix_notice_user", "user_id", "id"),
        Index("ix_notice_work_item_kind", "work_item_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # e.g. deadline_missed, case_filed
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # recipient agency
    role: Mapped[str | None] = mapped_column(String(50))  # only users with this role, if set
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # only this user, if set
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)  # the case
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))  # the item concerned
    title: Mapped[str] = mapped_column(String(300))  # what is shown
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # details (due times, lane, ...)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    agency: Mapped[Agency] = relationship()
    instance: Mapped[ProcessInstance | None] = relationship()


class NoticeRead(Base):
    """One user has read one notice (agency-wide notices are read per user)."""

    __tablename__ = "notice_read"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
