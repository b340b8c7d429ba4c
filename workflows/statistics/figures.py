"""The figures of a period and a scope, by process and by agency, counted by the database.

Each figure is one grouped query over an index that leads with the time it is counted by (cases
started or ended, work items completed, escalations, extensions, measures in the period); Python only
adds up the few hundred groups. Attribution (docs/diagrams.md §9): a case counts for the agency that
started it, a work item for the agency whose queue it was in, a measure for the agency that moved the
case past it. A work item with a deadline is on time when completed by its due time (as extended).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.models import (
    CaseMeasure,
    DeadlineExtension,
    ProcessDefinition,
    ProcessInstance,
    WorkItem,
    WorkItemSupervision,
)
from workflows.models.work_item import IS_COMPLETED
from workflows.statistics.periods import StatPeriod
from workflows.statistics.scope import Scope
from workflows.statistics.sql import flag_sum, local_month, percentiles, seconds_between


def on_time(w: type[WorkItem]) -> Any:
    """Completed by the due time, as extended, and never missed before: an extension after a miss keeps it late."""
    return (w.completed_at <= w.due_at) & w.missed_at.is_(None)


def completed_late(w: type[WorkItem]) -> Any:
    """Completed after the due time, or after missing one (a late extension moved the due time, not the miss)."""
    return (w.completed_at > w.due_at) | w.missed_at.is_not(None)


@dataclass
class WorkTally:
    """Work items completed, with and without a deadline, on time and late."""

    completed: int = 0
    with_deadline: int = 0
    on_time: int = 0
    late: int = 0

    def add(self, row: Any) -> None:
        """Add a grouped row's counts."""
        self.completed += row.completed
        self.with_deadline += row.with_deadline
        self.on_time += row.on_time
        self.late += row.late

    @property
    def on_time_rate(self) -> float | None:
        """On time among those with a deadline (None: none had one)."""
        return self.on_time / self.with_deadline if self.with_deadline else None


@dataclass
class Durations:
    """Nearest-rank median and 90th percentile, in seconds (None: nothing ended)."""

    median: float | None = None
    p90: float | None = None


@dataclass
class ProcessFigures:
    """One process's cases and work in the period."""

    key: str
    name: str
    started: int = 0
    ended: int = 0
    open_at_end: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome code ('' : ended without one) -> cases
    cancelled: int = 0
    duration: Durations = field(default_factory=Durations)
    work: WorkTally = field(default_factory=WorkTally)
    escalations: int = 0
    extensions: int = 0
    measures: dict[str, int] = field(default_factory=dict)  # measure code -> count


@dataclass
class TaskFigures:
    """One task of a process: its work items completed in the period and how long they took."""

    process_key: str
    task: str
    title: str
    work: WorkTally = field(default_factory=WorkTally)
    duration: Durations = field(default_factory=Durations)


@dataclass
class AgencyFigures:
    """One agency: cases it started and ended, its work, its escalations and extensions, its measures."""

    code: str
    name: str
    started: int = 0
    ended: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    work: WorkTally = field(default_factory=WorkTally)
    escalations: int = 0
    extensions: int = 0
    measures: dict[str, int] = field(default_factory=dict)
    kpis: dict[str, WorkTally] = field(default_factory=dict)  # indicator code -> its tasks' work (the review)


@dataclass
class MonthFigures:
    """One month of the trend."""

    month: str  # YYYY-MM
    started: int = 0
    ended: int = 0
    completed: int = 0
    late: int = 0


@dataclass
class Statistics:
    """Everything counted for one period and scope."""

    period: StatPeriod
    scope: Scope
    processes: list[ProcessFigures]
    tasks: list[TaskFigures]
    agencies: list[AgencyFigures]
    trend: list[MonthFigures]


class PeriodCounter:
    """The period's queries, each restricted to the scope's agencies on the column that attributes it."""

    def __init__(self, session: Session, period: StatPeriod, scope: Scope, process: str | None) -> None:
        self.session, self.period, self.scope, self.process = session, period, scope, process
        self.keys = dict(session.execute(select(ProcessDefinition.id, ProcessDefinition.key)).all())
        self.dialect = session.get_bind().dialect.name

    def _within(self, column: Any, agency: Any, process: Any = None) -> list[Any]:
        """`column` in the period, `agency` in the scope, `process` the one asked for."""
        where = [column >= self.period.start, column < self.period.end]
        if self.scope.agency_ids is not None:
            where.append(agency.in_(sorted(self.scope.agency_ids)))
        if self.process is not None and process is not None:
            where.append(process == self.process)
        return where

    def _definitions(self) -> Any:
        """Definition ids of the process asked for (a case's process is its definition's key)."""
        return [i for i, key in self.keys.items() if key == self.process] if self.process else None

    def _case_where(self, column: Any) -> list[Any]:
        where = self._within(column, ProcessInstance.initiating_agency_id)
        if (ids := self._definitions()) is not None:
            where.append(ProcessInstance.definition_id.in_(ids))
        return where

    def cases_started(self) -> list[Any]:
        i = ProcessInstance
        return self.session.execute(select(i.definition_id, i.initiating_agency_id, func.count().label("n"))
                                    .where(*self._case_where(i.created_at))
                                    .group_by(i.definition_id, i.initiating_agency_id)).all()

    def cases_ended(self) -> list[Any]:
        i = ProcessInstance
        return self.session.execute(select(i.definition_id, i.initiating_agency_id, i.status, i.outcome,
                                           func.count().label("n"))
                                    .where(*self._case_where(i.completed_at))
                                    .group_by(i.definition_id, i.initiating_agency_id, i.status, i.outcome)).all()

    def open_at_end(self) -> dict[int, int]:
        """Cases started before the period's end and not ended by then, per definition.

        Read where the index of ended cases keeps them: those never ended (no end time) and those
        ended after the period; so the count grows with the cases since the period, not with all history.
        """
        i = ProcessInstance
        where = [i.created_at < self.period.end]
        if self.scope.agency_ids is not None:
            where.append(i.initiating_agency_id.in_(sorted(self.scope.agency_ids)))
        if (ids := self._definitions()) is not None:
            where.append(i.definition_id.in_(ids))
        found: dict[int, int] = {}
        for still in (i.completed_at.is_(None), i.completed_at >= self.period.end):
            # Grouped by an expression, not the column: SQLite's planner would otherwise walk the index on
            # definition_id to save the sort, reading every case instead of the few in the range.
            definition = (i.definition_id + 0).label("definition")
            stmt = select(definition, func.count()).where(still, *where).group_by(definition)
            for definition_id, n in self.session.execute(stmt):
                found[definition_id] = found.get(definition_id, 0) + n
        return found

    def case_durations(self) -> dict[str, Durations]:
        i, d = ProcessInstance, ProcessDefinition
        stmt = percentiles(self.dialect, [d.key], seconds_between(i.created_at, i.completed_at),
                           self._case_where(i.completed_at) + [i.status == "completed"],
                           froms=i.__table__.join(d.__table__, d.id == i.definition_id))
        return {row.key: Durations(row.p50, row.p90) for row in self.session.execute(stmt)}

    def _item_where(self) -> list[Any]:
        w = WorkItem
        return self._within(w.completed_at, w.candidate_agency_id, w.process_key) + [IS_COMPLETED]

    def work(self) -> list[Any]:
        w = WorkItem
        return self.session.execute(select(
            w.process_key, w.task_name, w.candidate_agency_id, func.count().label("completed"),
            flag_sum(w.due_at.is_not(None)).label("with_deadline"),
            flag_sum(on_time(w)).label("on_time"), flag_sum(completed_late(w)).label("late"))
            .where(*self._item_where()).group_by(w.process_key, w.task_name, w.candidate_agency_id)).all()

    def task_durations(self) -> dict[tuple[str, str], Durations]:
        w = WorkItem
        stmt = percentiles(self.dialect, [w.process_key, w.task_name], seconds_between(w.created_at, w.completed_at),
                           self._item_where())
        return {(row.process_key, row.task_name): Durations(row.p50, row.p90) for row in self.session.execute(stmt)}

    def _item_events(self, column: Any, counted: Any, join_on: Any) -> list[Any]:
        """(process key, agency, count) of escalations or extensions in the period, by the item's queue."""
        w = WorkItem
        return self.session.execute(select(w.process_key, w.candidate_agency_id, counted.label("n"))
                                    .select_from(column.table.join(w.__table__, join_on))
                                    .where(*self._within(column, w.candidate_agency_id, w.process_key))
                                    .group_by(w.process_key, w.candidate_agency_id)).all()

    def escalations(self) -> list[Any]:
        s = WorkItemSupervision
        return self._item_events(s.since, func.count(s.work_item_id.distinct()), s.work_item_id == WorkItem.id)

    def extensions(self) -> list[Any]:
        e = DeadlineExtension
        return self._item_events(e.created_at, func.count(), e.work_item_id == WorkItem.id)

    def measures(self) -> list[Any]:
        m = CaseMeasure
        return self.session.execute(select(m.process_key, m.code, m.agency_id, func.count().label("n"))
                                    .where(*self._within(m.occurred_at, m.agency_id, m.process_key))
                                    .group_by(m.process_key, m.code, m.agency_id)).all()

    def months(self) -> dict[str, MonthFigures]:
        i, w = ProcessInstance, WorkItem
        found = {month: MonthFigures(month) for month in self.period.months()}

        def month(rows: Any) -> Any:
            for row in rows:
                yield found.setdefault(row[0], MonthFigures(row[0])), row[1:]

        started, ended = local_month(i.created_at), local_month(i.completed_at)
        for figures, (n,) in month(self.session.execute(
                select(started, func.count()).where(*self._case_where(i.created_at)).group_by(started))):
            figures.started = n
        for figures, (n,) in month(self.session.execute(
                select(ended, func.count()).where(*self._case_where(i.completed_at)).group_by(ended))):
            figures.ended = n
        completed = local_month(w.completed_at)
        for figures, (n, late) in month(self.session.execute(
                select(completed, func.count(), flag_sum(completed_late(w)))
                .where(*self._item_where()).group_by(completed))):
            figures.completed, figures.late = n, late
        return found
