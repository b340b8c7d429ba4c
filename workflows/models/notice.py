"""In-app notices to an agency, a role within it, or one user; and their delivery to each user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
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
TASK_ARRIVED = "task_arrived"
REMINDER = "reminder"  # 催办: a supervising agency reminds the agency holding an overdue item


class Notice(Base):
    """Something an agency should know: a copy received, a case filed, a deadline approaching or missed.

    Addressed to one user (user_id), or to the users of an agency holding a role, or to the whole agency.
    """

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_work_item_kind", "work_item_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # e.g. deadline_missed, case_filed
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # recipient agency
    role: Mapped[str | None] = mapped_column(String(50))  # only users with this role, if set
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # only this user, if set
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)  # the case
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))  # the item concerned
    title: Mapped[str] = mapped_column(String(300))  # as written (a diagram's text), else the English rendering
    # The title as a message, {"code", "params"} (workflows.messages), built in the reader's language when
    # shown; None for a diagram's own text and for rows written before titles were data (shown as stored).
    title_message: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # details (due times, lane, ...)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    agency: Mapped[Agency] = relationship()
    instance: Mapped[ProcessInstance | None] = relationship()


class NoticeDelivery(Base):
    """One notice delivered to one user, read or not.

    Written when the notice is sent, to the users of the agency holding the role at that moment (or
    to the one user addressed), so a user's list and unread count read that user's rows only, never
    the agency's whole notice history. A user who joins later does not receive older notices.
    """

    __tablename__ = "notice_delivery"
    __table_args__ = (
        # The unread count and the unread list: only unread rows are indexed.
        Index("ix_notice_delivery_unread", "user_id", "notice_id", postgresql_where=text("read_at IS NULL"),
              sqlite_where=text("read_at IS NULL")),
    )

    # The primary key serves the user's list, newest notice first, and "is this notice the user's?".
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)  # the recipient
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: unread

    notice: Mapped[Notice] = relationship()
