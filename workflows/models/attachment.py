"""Files uploaded in a case: the bytes live once per checksum on disk, the right to read them lives here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, UTCDateTime
from workflows.models.user import User


class Attachment(Base):
    """One upload: a file's checksum and name, the case it was uploaded in (none yet for a start form's)."""

    __tablename__ = "attachment"
    __table_args__ = (
        Index("ix_attachment_instance_sha256", "instance_id", "sha256"),
        # A start form's files wait for their case: found by uploader until the case binds them.
        Index("ix_attachment_unbound", "uploaded_by_id", "sha256", postgresql_where=text("instance_id IS NULL"),
              sqlite_where=text("instance_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))  # the bytes' checksum, their name on disk
    filename: Mapped[str] = mapped_column(String(200))  # the name it was uploaded under
    size: Mapped[int] = mapped_column(Integer)  # bytes
    content_type: Mapped[str] = mapped_column(String(100))  # as the uploader's browser declared it
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))  # the case; None: not yet
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))  # the task it was uploaded for
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # who uploaded it
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # when

    uploaded_by: Mapped[User] = relationship()

    def describe(self) -> dict[str, object]:
        """What a form field holds for this file (the case data names files by this description)."""
        return {"filename": self.filename, "sha256": self.sha256, "size": self.size,
                "content_type": self.content_type}
