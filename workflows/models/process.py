"""Deployed process definitions and the instances running them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, JSONType, OrderedJSON, UTCDateTime, status_type
from workflows.messages import Message
from workflows.models.agency import Agency
from workflows.models.user import User


class ProcessDefinition(Base):
    """One deployed version of a diagram with its forms and its serialized engine spec."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)  # the BPMN process id
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per key
    name: Mapped[str] = mapped_column(String(200))  # the process name from the diagram
    # The large columns are deferred: instances load their definition on every step, and the
    # immutable content is read once per process through workflows.deployment.definitions instead.
    diagram_xml: Mapped[str] = mapped_column(Text, deferred=True)  # the uploaded BPMN, as uploaded
    forms: Mapped[dict[str, Any]] = mapped_column(OrderedJSON, default=dict, deferred=True)  # file name -> JSON Schema
    checksum: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of diagram and forms
    spec: Mapped[dict[str, Any]] = mapped_column(OrderedJSON, deferred=True)  # serialized engine spec (+ subprocesses)
    meta: Mapped[dict[str, Any]] = mapped_column(OrderedJSON, deferred=True)  # lanes and task properties of the diagram
    # The agency types whose agencies may start it (the start lanes'; empty: any), copied out of `meta` at
    # deployment: every page's header asks whether its user may start anything, in one small statement.
    start_agency_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: set-up script
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # deployment time

    deployed_by: Mapped[User | None] = relationship()


class InstanceStatus(StrEnum):
    """Where a case stands."""

    RUNNING = "running"  # waiting for work items or timers
    COMPLETED = "completed"  # reached an end event
    ERROR = "error"  # stopped with a reason, waiting for an admin's resume
    CANCELLED = "cancelled"  # ended by a cancellation


class ProcessInstance(Base):
    """A running (or finished) case following one process definition version."""

    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)  # pinned version
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)  # case number
    title: Mapped[str] = mapped_column(String(300))  # shown in queues
    status: Mapped[InstanceStatus] = mapped_column(status_type(InstanceStatus))  # where the case stands
    error_reason: Mapped[str | None] = mapped_column(Text)  # why it stopped, when status is error (English)
    # The same reason as a message, {"code", "params"} (workflows.messages), rendered in the reader's
    # language; None on rows stopped before messages were data (their text is shown as it is).
    error_message: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    initiating_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # 同级 anchor
    initiating_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # who started it
    # Deferred: most reads of an instance (lists, permission checks, a work item's case in a response)
    # never touch the engine state, and it is the large column; a step's lock loads it (undefer).
    state: Mapped[dict[str, Any]] = mapped_column(OrderedJSON, deferred=True)  # engine state, spec excluded
    state_format: Mapped[int] = mapped_column(Integer, default=1)  # our state layout version
    lock_version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock against lost updates
    # The timer worker's one indexed query reads next_timer_due_at: the earliest of the engine's own
    # timers (engine_timer_due_at) and the deadline watches of the open work items.
    next_timer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    engine_timer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # earliest BPMN timer event
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # start time
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # last state change
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # end time
    # The code of the last end event with an `outcome` the case reached (docs/diagrams.md §9), so the
    # statistics count outcomes without the engine state; None: it ended elsewhere, or has not ended.
    outcome: Mapped[str | None] = mapped_column(String(50))

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")
    initiating_agency: Mapped[Agency] = relationship()
    initiating_user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def stop_reason(self) -> Message | str | None:
        """Why the case stopped: a message, the stored text of a row stopped before messages were data, or None."""
        if self.error_message:
            return Message(self.error_message["code"], self.error_message.get("params") or {})
        return self.error_reason


# The timer worker walks running instances by (next_timer_due_at, id); only running ones are indexed,
# so the index is as small as the running work. It leads with the (constant) status: without
# statistics SQLite's planner otherwise takes the status index for `status = ?` and sorts all
# running instances; with it, the worker's query reads this index in order whether it binds the
# status or writes it out (IS_RUNNING).
IS_RUNNING = ProcessInstance.status == literal_column(f"'{InstanceStatus.RUNNING}'")
Index("ix_process_instance_timer_due", ProcessInstance.status, ProcessInstance.next_timer_due_at, ProcessInstance.id,
      postgresql_where=IS_RUNNING, sqlite_where=IS_RUNNING)
# Lists by status, newest first (the cases stopped in error, running cases), and their counts.
Index("ix_process_instance_status", ProcessInstance.status, ProcessInstance.id)
# The statistics: cases started in a period, and cases ended in one, with what they group by (index only).
Index("ix_process_instance_started", ProcessInstance.created_at, ProcessInstance.definition_id,
      ProcessInstance.initiating_agency_id)
Index("ix_process_instance_ended", ProcessInstance.completed_at, ProcessInstance.definition_id,
      ProcessInstance.initiating_agency_id, ProcessInstance.status, ProcessInstance.outcome, ProcessInstance.created_at)


class InstanceParticipant(Base):
    """An agency taking part in an instance; it may see the instance."""

    __tablename__ = "instance_participant"
    # An agency's instance list walks its participations newest instance first.
    __table_args__ = (Index("ix_instance_participant_agency", "agency_id", "instance_id"),)

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)  # the case
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)  # the agency
    reason: Mapped[str] = mapped_column(String(20))  # initiator, work_item or copy
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # when it joined
