"""Work items: the READY user tasks of instances, queued for an agency and role."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ColumnElement, ForeignKey, Index, Integer, String, and_, literal_column
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.clock import now
from workflows.db import Base, JSONType, UTCDateTime, status_type
from workflows.models.agency import Agency
from workflows.models.process import ProcessInstance
from workflows.models.user import User


class WorkItemStatus(StrEnum):
    """Where a work item stands."""

    OPEN = "open"  # in its agency's queue
    CLAIMED = "claimed"  # taken by a user of the agency
    COMPLETED = "completed"  # submitted
    CANCELLED = "cancelled"  # its task went away (another path was taken, the case ended)


OPEN, CLAIMED, COMPLETED, CANCELLED = WorkItemStatus  # the members, for brevity where they are compared
ACTIVE_STATUSES = (OPEN, CLAIMED)


class WorkItem(Base):
    """One user task waiting for (or done by) a user of the candidate agency."""

    __tablename__ = "work_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)  # its case
    # Copied from the instance's definition at creation (immutable): lists and the dashboard filter
    # and count by process without joining every item to its instance.
    process_key: Mapped[str] = mapped_column(String(100))
    engine_task_id: Mapped[str] = mapped_column(String(36), index=True)  # SpiffWorkflow task UUID
    task_name: Mapped[str] = mapped_column(String(100))  # BPMN element id
    title: Mapped[str] = mapped_column(String(200))  # BPMN element name
    lane: Mapped[str | None] = mapped_column(String(100))  # lane id in the diagram
    candidate_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # whose queue it is in
    required_role: Mapped[str] = mapped_column(String(50))  # role needed to act on it
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # who claimed it
    status: Mapped[WorkItemStatus] = mapped_column(status_type(WorkItemStatus), default=OPEN)  # where it stands
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher is more urgent
    deadline: Mapped[str | None] = mapped_column(String(50))  # the period in English, e.g. "3 days" (also for 3日)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the period runs out
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # holidays not yet published
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # due time before any extension
    extension_count: Mapped[int] = mapped_column(Integer, default=0)  # extensions recorded so far
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when "deadline approaching" is due
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when that notice went out
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the worker marked it overdue
    # The due time the item let pass while open (the first): a late extension moves due_at, never this.
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    form_name: Mapped[str | None] = mapped_column(String(200))  # JSON Schema file of the definition
    submitted_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # what the completer sent
    prefilled: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # what the system filled in (prefill)
    # A form saved unfinished by its holder (not validated); the page opens with it, completion clears it.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the draft was last saved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # became READY
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last claim
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # completion or cancellation
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # who completed it

    instance: Mapped[ProcessInstance] = relationship()
    candidate_agency: Mapped[Agency] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    # Who may do what with the item: written here once, for Python and (may_act) for SQL.
    def in_agency_of(self, user: User) -> bool:
        """Whether the item is in the user's agency's queue."""
        return self.candidate_agency_id == user.agency_id

    @hybrid_method
    def may_act(self, user: User) -> bool:
        """The agency-and-role rule: users of the candidate agency holding the required role act on it."""
        return self.candidate_agency_id == user.agency_id and user.has_role(self.required_role)

    @may_act.expression
    def may_act(cls, user: User) -> ColumnElement[bool]:  # noqa: N805 - SQLAlchemy passes the class
        """The same rule as a condition of a query."""
        return and_(cls.candidate_agency_id == user.agency_id, cls.required_role.in_(user.roles or []))

    def may_claim(self, user: User) -> bool:
        """An open item the user may act on."""
        return self.status == WorkItemStatus.OPEN and self.may_act(user)

    def may_release(self, user: User) -> bool:
        """A claimed item of the user's agency that the user holds, or the user leads the agency."""
        return (self.status == WorkItemStatus.CLAIMED and self.in_agency_of(user)
                and (self.assignee_id == user.id or user.has_role("leader")))

    def may_take_now(self, user: User) -> bool:
        """The user can move it on right away: claim it from the queue, or complete their own claim."""
        return self.may_claim(user) or (self.status == WorkItemStatus.CLAIMED and self.assignee_id == user.id
                                        and self.may_act(user))

    def next_watch(self) -> datetime | None:
        """The next instant the timer worker must look at this item's deadline (None: nothing pending)."""
        if self.status not in ACTIVE_STATUSES or self.due_at is None or self.overdue_at is not None:
            return None
        if self.remind_at is not None and self.reminded_at is None and self.remind_at < self.due_at:
            return self.remind_at
        return self.due_at

    def missed_by(self, at: datetime) -> timedelta | None:
        """How late the item was at `at` (its completion, say) against the deadline it missed; None if never."""
        missed = self.missed_at or (self.due_at if self.due_at is not None and self.due_at < at else None)
        return at - missed if missed is not None and missed < at else None

    def is_overdue(self, at: datetime) -> bool:
        """Tell whether an active item has passed its due time."""
        return self.status in ACTIVE_STATUSES and self.due_at is not None and self.due_at < at


def status_in(column: Any, *statuses: str) -> ColumnElement[bool]:
    """A status condition with its values written into the SQL.

    A partial index serves a query only when the query states the index's condition itself, and
    SQLite does not look into bound parameters for that; so lists and indexes share these.
    """
    values = [literal_column(f"'{status}'") for status in statuses]
    return column == values[0] if len(values) == 1 else column.in_(values)


IS_ACTIVE = status_in(WorkItem.status, *ACTIVE_STATUSES)
IS_OPEN = status_in(WorkItem.status, OPEN)
IS_CLAIMED = status_in(WorkItem.status, CLAIMED)
IS_COMPLETED = status_in(WorkItem.status, COMPLETED)

# The order of every list of active items, most urgent first: the earliest due time (none last),
# then the higher priority, then the older item. Each index below ends with it, so a list reads
# its first page in order and stops.
URGENCY = (WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.priority.desc(), WorkItem.id)


def _partial(name: str, where: ColumnElement[bool], *columns: Any) -> Index:
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)


# Only active items are in these: they stay as small as the open work however long the history.
_partial("ix_work_item_open", IS_OPEN, WorkItem.candidate_agency_id, *URGENCY)  # the agency's queue
_partial("ix_work_item_active_agency", IS_ACTIVE, WorkItem.candidate_agency_id, *URGENCY)  # its overdue items
_partial("ix_work_item_active_due", IS_ACTIVE, *URGENCY)  # overdue of every agency (overseers)
# The dashboard's counts, read from the index alone (SQLite counts the condition's column as read, so it is in).
_partial("ix_work_item_active_counts", IS_ACTIVE, WorkItem.candidate_agency_id, WorkItem.process_key, WorkItem.due_at,
         WorkItem.status, WorkItem.missed_at)
_partial("ix_work_item_claimed", IS_CLAIMED, WorkItem.assignee_id, *URGENCY)  # mine
# Completed by me: one user's history, newest first, paged by (completed_at, id).
_partial("ix_work_item_completed_by", IS_COMPLETED, WorkItem.completed_by_id, WorkItem.completed_at, WorkItem.id)
# The statistics: items completed in a period with what they are grouped and timed by, read from the index alone
# (status too: SQLite counts the condition's column as read).
_partial("ix_work_item_completed_at", IS_COMPLETED, WorkItem.completed_at, WorkItem.process_key, WorkItem.task_name,
         WorkItem.candidate_agency_id, WorkItem.due_at, WorkItem.created_at, WorkItem.status, WorkItem.missed_at)


class WorkItemSupervision(Base):
    """An agency named by a task's escalateTo watches one of its items since the item missed its deadline.

    Written when the deadline is missed; `ended_at` is set when the item completes or is cancelled
    (a database trigger, so every path that finishes an item does it), which drops the row from the
    index of what an agency supervises now. The row stays, so the supervisor may still open the item.
    """

    __tablename__ = "work_item_supervision"

    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id"), primary_key=True)  # the item watched
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)  # the supervising agency
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)  # when the deadline was missed
    # The item's due time and priority when it was escalated, so the overdue view reads this index in
    # urgency order (an extension moves the due time and resets the mark; the next miss updates both).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the item completed or was cancelled


SUPERVISING = WorkItemSupervision.ended_at.is_(None)
_partial("ix_work_item_supervision_active", SUPERVISING, WorkItemSupervision.agency_id, WorkItemSupervision.due_at,
         WorkItemSupervision.priority.desc(), WorkItemSupervision.work_item_id)
