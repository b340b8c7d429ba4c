"""Agencies and the admin-defined types they belong to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, UTCDateTime


class AgencyType(Base):
    """A kind of agency (market_supervision, police, ...); data, so admins can add new ones."""

    __tablename__ = "agency_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # referenced by diagram lanes
    name: Mapped[str] = mapped_column(String(200))  # display name, Simplified Chinese
    description: Mapped[str] = mapped_column(Text, default="")  # what agencies of this type do here
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # when an admin added it


class Agency(Base):
    """A concrete agency: 嘉定区市场监督管理局, 嘉定公安分局, ..."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # stable code, used in instance data
    name: Mapped[str] = mapped_column(String(200))  # official name
    type_id: Mapped[int] = mapped_column(ForeignKey("agency_type.id"), index=True)  # its agency type
    jurisdiction: Mapped[str] = mapped_column(String(100), index=True)  # e.g. 嘉定区; same value = same level (同级)
    level: Mapped[str] = mapped_column(String(20))  # district, city or province
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # superior office, if any
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # inactive agencies get no new work
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # when it was registered

    type: Mapped[AgencyType] = relationship(lazy="joined")
    parent: Mapped[Agency | None] = relationship(remote_side=[id])
