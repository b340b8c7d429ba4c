"""The supervisors' overview: open and overdue work per agency and per process, by due status, oldest overdue,
and the cases stopped in error.

Counted in the database, in one grouped pass over the index of active items (completed history is not in
it), and the stopped cases read through the index on status; the due-status boundaries are those of
`workflows.deadlines.due_status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.deadlines.due_status import BUCKETS, DUE_TODAY, LATER, NO_DEADLINE, OVERDUE, end_of_today
from workflows.deployment.catalog import latest_definitions
from workflows.errors import PermissionDeniedError
from workflows.models import Agency, ProcessInstance, User, WorkItem
from workflows.models.work_item import IS_ACTIVE, URGENCY
from workflows.work.instances import count_instances, list_instances
from workflows.work.queues import SHOWN
from workflows.work.steps import ERROR

DASHBOARD_ROLES = frozenset({"supervisor", "admin", "leader"})
OLDEST = 10


@dataclass
class Row:
    """Active work items of one agency (code) or one process (key)."""

    key: str
    name: str
    open: int = 0
    overdue: int = 0
    extended_late: int = 0  # missed, then extended after the due time: not overdue now, the miss stays


@dataclass
class Overview:
    """What the dashboard shows; rows sorted most overdue first."""

    by_agency: list[Row] = field(default_factory=list)
    by_process: list[Row] = field(default_factory=list)
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    oldest_overdue: list[WorkItem] = field(default_factory=list)
    stopped: list[ProcessInstance] = field(default_factory=list)  # cases in error, newest first
    stopped_count: int = 0  # all of them, beyond the ones listed
    extended_late: int = 0  # active items that missed their deadline and were extended after it

    @property
    def total(self) -> int:
        """All active items counted."""
        return sum(self.buckets.values())


def _scoped(stmt: Select, user: User) -> Select:
    """Active items the user oversees: every agency's for supervisors and admins, else the own agency's."""
    stmt = stmt.where(IS_ACTIVE)
    return stmt if user.oversees else stmt.where(WorkItem.candidate_agency_id == user.agency_id)


def _tallies(at: datetime) -> list[Any]:
    """count, overdue, due today, no deadline and extended late, as aggregate columns (of indexed columns only)."""
    def flag(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return [func.count().label("total"), flag(WorkItem.due_at <= at).label("overdue"),
            flag((WorkItem.due_at > at) & (WorkItem.due_at <= end_of_today(at))).label("today"),
            flag(WorkItem.due_at.is_(None)).label("undated"),
            flag(WorkItem.missed_at.is_not(None) & (WorkItem.due_at > at)).label("extended_late")]


def _counts(session: Session, user: User, at: datetime) -> list[Any]:
    """(agency code, name, process key, open, overdue, due today, no deadline, extended late) per agency and process.

    One pass over the index of active items (agency, process key, due time), read without the table;
    the agencies' names are joined to the ~hundred groups, not to the items.
    """
    columns = select(WorkItem.candidate_agency_id.label("agency_id"), WorkItem.process_key, *_tallies(at))
    grouped = _scoped(columns, user).group_by(WorkItem.candidate_agency_id, WorkItem.process_key).subquery()
    g = grouped.c
    stmt = select(Agency.code, Agency.name, g.process_key, g.total, g.overdue, g.today, g.undated,
                  g.extended_late).join(grouped, grouped.c.agency_id == Agency.id)
    return list(session.execute(stmt))


def oldest_overdue(session: Session, user: User, at: datetime, limit: int = OLDEST) -> list[WorkItem]:
    """The overdue items the user oversees, longest overdue first (then by urgency, as every list)."""
    stmt = _scoped(select(WorkItem), user).where(WorkItem.due_at <= at).order_by(*URGENCY)
    return list(session.scalars(stmt.options(*SHOWN).limit(limit)))


def _add(rows: dict[str, Row], key: str, name: str, total: int, overdue: int, extended_late: int) -> None:
    row = rows.setdefault(key, Row(key, name))
    row.open += total
    row.overdue += overdue
    row.extended_late += extended_late


def _tally(result: Overview, counts: list[Any], names: dict[str, str]) -> None:
    """Sum the per agency and process counts into the overview's rows and due-status buckets."""
    agencies: dict[str, Row] = {}
    processes: dict[str, Row] = {}
    for code, name, key, total, overdue, today, undated, extended_late in counts:
        _add(agencies, code, name, total, overdue, extended_late)
        _add(processes, key, names.get(key, key), total, overdue, extended_late)
        result.extended_late += extended_late
        for bucket, count in ((OVERDUE, overdue), (DUE_TODAY, today), (NO_DEADLINE, undated),
                              (LATER, total - overdue - today - undated)):
            result.buckets[bucket] += count
    result.by_agency, result.by_process = _ranked(list(agencies.values())), _ranked(list(processes.values()))


def _ranked(rows: list[Row]) -> list[Row]:
    """Most overdue first, then most open, then by name."""
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name))


def overview(session: Session, user: User, at: datetime | None = None, oldest: int = OLDEST) -> Overview:
    """The dashboard of a supervisor, admin or leader at the given instant (default now)."""
    if not DASHBOARD_ROLES.intersection(user.roles or []):
        raise PermissionDeniedError("dashboard_forbidden")
    at = at or now()
    result = Overview(oldest_overdue=oldest_overdue(session, user, at, oldest),
                      # A case in error waits for an admin's resume with its timers stopped; the
                      # work-item counts above need not show it at all.
                      stopped=list_instances(session, user, status=ERROR, limit=oldest),
                      stopped_count=count_instances(session, user, status=ERROR))
    _tally(result, _counts(session, user, at), {d.key: d.name for d in latest_definitions(session)})
    return result
