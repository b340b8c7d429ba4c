"""The supervisors' overview: open and overdue work per agency and per process, by due status, oldest overdue,
and the cases stopped in error.

Counted in the database (one grouped query per table), so the dashboard stays one page load however many
items are open; the due-status boundaries are those of `workflows.due_status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from workflows.catalog import latest_definitions
from workflows.clock import now
from workflows.due_status import BUCKETS, DUE_TODAY, LATER, NO_DEADLINE, OVERDUE, end_of_today
from workflows.errors import PermissionDeniedError
from workflows.instances import count_instances, list_instances
from workflows.models import Agency, ProcessDefinition, ProcessInstance, User, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.progress import ERROR

DASHBOARD_ROLES = frozenset({"supervisor", "admin", "leader"})
OLDEST = 10


@dataclass
class Row:
    """Active work items of one agency (code) or one process (key)."""

    key: str
    name: str
    open: int = 0
    overdue: int = 0


@dataclass
class Overview:
    """What the dashboard shows; rows sorted most overdue first."""

    by_agency: list[Row] = field(default_factory=list)
    by_process: list[Row] = field(default_factory=list)
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    oldest_overdue: list[WorkItem] = field(default_factory=list)
    stopped: list[ProcessInstance] = field(default_factory=list)  # cases in error, newest first
    stopped_count: int = 0  # all of them, beyond the ones listed

    @property
    def total(self) -> int:
        """All active items counted."""
        return sum(self.buckets.values())


def _scoped(stmt: Select, user: User) -> Select:
    """Active items the user oversees: every agency's for supervisors and admins, else the own agency's."""
    stmt = stmt.where(WorkItem.status.in_(ACTIVE_STATUSES))
    return stmt if user.oversees else stmt.where(WorkItem.candidate_agency_id == user.agency_id)


def _tallies(at: datetime) -> list[Any]:
    """count, overdue, due today and no deadline, as aggregate columns."""
    def flag(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return [func.count(WorkItem.id), flag(WorkItem.due_at <= at),
            flag((WorkItem.due_at > at) & (WorkItem.due_at <= end_of_today(at))), flag(WorkItem.due_at.is_(None))]


def _by_agency(session: Session, user: User, at: datetime) -> list[tuple[Any, ...]]:
    """(code, name, open, overdue, due today, no deadline) per agency."""
    stmt = select(Agency.code, Agency.name, *_tallies(at)).join(Agency, WorkItem.candidate_agency_id == Agency.id)
    return [tuple(r) for r in session.execute(_scoped(stmt, user).group_by(Agency.id, Agency.code, Agency.name))]


def _by_process(session: Session, user: User, at: datetime) -> list[tuple[Any, ...]]:
    """(key, open, overdue) per process key, all versions together."""
    stmt = (select(ProcessDefinition.key, *_tallies(at)[:2])
            .join(ProcessInstance, WorkItem.instance_id == ProcessInstance.id)
            .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id))
    return [tuple(r) for r in session.execute(_scoped(stmt, user).group_by(ProcessDefinition.key))]


def oldest_overdue(session: Session, user: User, at: datetime, limit: int = OLDEST) -> list[WorkItem]:
    """The overdue items the user oversees, longest overdue first."""
    stmt = _scoped(select(WorkItem), user).where(WorkItem.due_at <= at).order_by(WorkItem.due_at, WorkItem.id)
    stmt = stmt.options(selectinload(WorkItem.instance).selectinload(ProcessInstance.definition),
                        selectinload(WorkItem.candidate_agency), selectinload(WorkItem.assignee))
    return list(session.scalars(stmt.limit(limit)))


def _ranked(rows: list[Row]) -> list[Row]:
    """Most overdue first, then most open, then by name."""
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name))


def overview(session: Session, user: User, at: datetime | None = None, oldest: int = OLDEST) -> Overview:
    """The dashboard of a supervisor, admin or leader at the given instant (default now)."""
    if not DASHBOARD_ROLES.intersection(user.roles or []):
        raise PermissionDeniedError("the dashboard is for supervisors, admins and leaders")
    at = at or now()
    result = Overview(oldest_overdue=oldest_overdue(session, user, at, oldest),
                      # A case in error waits for an admin's resume with its timers stopped; the
                      # work-item counts above need not show it at all.
                      stopped=list_instances(session, user, status=ERROR, limit=oldest),
                      stopped_count=count_instances(session, user, status=ERROR))
    for code, name, total, overdue, today, undated in _by_agency(session, user, at):
        result.by_agency.append(Row(code, name, total, overdue))
        for bucket, count in ((OVERDUE, overdue), (DUE_TODAY, today), (NO_DEADLINE, undated),
                              (LATER, total - overdue - today - undated)):
            result.buckets[bucket] += count
    names = {d.key: d.name for d in latest_definitions(session)}
    result.by_process = _ranked([Row(key, names.get(key, key), total, overdue)
                                 for key, total, overdue in _by_process(session, user, at)])
    result.by_agency = _ranked(result.by_agency)
    return result
