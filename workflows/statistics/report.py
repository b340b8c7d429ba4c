"""Statistics for one period and scope, put together from the grouped counts (workflows.statistics.figures)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.deployment.catalog import latest_definitions
from workflows.deployment.definitions import compiled
from workflows.models import Agency, User
from workflows.models.process import InstanceStatus
from workflows.statistics.figures import (
    AgencyFigures,
    PeriodCounter,
    ProcessFigures,
    Statistics,
    TaskFigures,
    WorkTally,
)
from workflows.statistics.periods import StatPeriod
from workflows.statistics.scope import Scope, resolve_scope


class _Tables:
    """The rows being filled: per process, per task, per agency."""

    def __init__(self, names: dict[str, str], titles: dict[tuple[str, str], str],
                 kpis: dict[tuple[str, str], str]) -> None:
        self.names, self.titles = names, titles  # process names; task names by (process, task) from the diagrams
        self.kpis = kpis  # (process, task) -> the indicator it counts towards
        self.processes: dict[str, ProcessFigures] = {}
        self.tasks: dict[tuple[str, str], TaskFigures] = {}
        self.agencies: dict[int, AgencyFigures] = {}

    def process(self, key: str) -> ProcessFigures:
        return self.processes.setdefault(key, ProcessFigures(key, self.names.get(key, key)))

    def agency(self, agency_id: int) -> AgencyFigures:
        return self.agencies.setdefault(agency_id, AgencyFigures("", ""))

    def task(self, key: str, task: str) -> TaskFigures:
        return self.tasks.setdefault((key, task), TaskFigures(key, task, self.titles.get((key, task), task)))


def _add(counts: dict[str, int], code: str, n: int) -> None:
    counts[code] = counts.get(code, 0) + n


def _cases(counter: PeriodCounter, tables: _Tables) -> None:
    """Started, ended by outcome, open at the period's end, and how long the ended ones took."""
    for definition_id, agency_id, n in counter.cases_started():
        tables.process(counter.keys[definition_id]).started += n
        tables.agency(agency_id).started += n
    for definition_id, agency_id, status, outcome, n in counter.cases_ended():
        process, agency = tables.process(counter.keys[definition_id]), tables.agency(agency_id)
        process.ended += n
        agency.ended += n
        if status == InstanceStatus.CANCELLED:
            process.cancelled += n
        else:
            _add(process.outcomes, outcome or "", n)
            _add(agency.outcomes, outcome or "", n)
    by_key: Counter[str] = Counter()
    for definition_id, n in counter.open_at_end().items():
        by_key[counter.keys[definition_id]] += n
    for key, n in by_key.items():
        tables.process(key).open_at_end = n
    for key, durations in counter.case_durations().items():
        tables.process(key).duration = durations


def _work(counter: PeriodCounter, tables: _Tables) -> None:
    """Work items completed, on time and late, their handling times, escalations and extensions."""
    for row in counter.work():
        tables.task(row.process_key, row.task_name).work.add(row)
        tables.process(row.process_key).work.add(row)
        agency = tables.agency(row.candidate_agency_id)
        agency.work.add(row)
        if kpi := tables.kpis.get((row.process_key, row.task_name)):
            agency.kpis.setdefault(kpi, WorkTally()).add(row)
    for (key, task), durations in counter.task_durations().items():
        tables.task(key, task).duration = durations
    for key, agency_id, n in counter.escalations():
        tables.process(key).escalations += n
        tables.agency(agency_id).escalations += n
    for key, agency_id, n in counter.extensions():
        tables.process(key).extensions += n
        tables.agency(agency_id).extensions += n
    for key, code, agency_id, n in counter.measures():
        _add(tables.process(key).measures, code, n)
        _add(tables.agency(agency_id).measures, code, n)


def _name_agencies(session: Session, tables: _Tables) -> list[AgencyFigures]:
    """The agencies' codes and names, ordered by code."""
    rows = session.execute(select(Agency.id, Agency.code, Agency.name).where(Agency.id.in_(sorted(tables.agencies))))
    for agency_id, code, name in rows:
        tables.agencies[agency_id].code, tables.agencies[agency_id].name = code, name
    return sorted(tables.agencies.values(), key=lambda a: a.code)


def _tables(session: Session, latest: list[Any]) -> _Tables:
    """Empty tables knowing the processes' names, their tasks' names and the indicator (kpi) of each task."""
    tasks = [(d.key, task) for d in latest for task in compiled(session, d).info.tasks.values()]
    return _Tables({d.key: d.name for d in latest}, {(key, task.id): task.name for key, task in tasks},
                   {(key, task.id): task.kpi for key, task in tasks if task.kpi})


def statistics(session: Session, user: User, period: StatPeriod, *, agency: str | None = None,
               jurisdiction: str | None = None, process: str | None = None) -> Statistics:
    """The figures of a period for an agency, a jurisdiction or all the user may see; optionally one process."""
    scope = resolve_scope(session, user, agency, jurisdiction)
    latest = latest_definitions(session)
    tables = _tables(session, latest)
    counter = PeriodCounter(session, period, scope, process)
    _cases(counter, tables)
    _work(counter, tables)
    order = {d.key: n for n, d in enumerate(latest)}
    processes = sorted(tables.processes.values(), key=lambda p: (order.get(p.key, len(order)), p.key))
    tasks = sorted(tables.tasks.values(), key=lambda t: (order.get(t.process_key, len(order)), t.process_key, t.task))
    return Statistics(period, scope, processes, tasks, _name_agencies(session, tables), list(counter.months().values()))


def agency_figures(session: Session, period: StatPeriod, agency: Agency) -> AgencyFigures:
    """One agency's figures of a period, as `statistics` counts them for it (no viewer: the system asks)."""
    tables = _tables(session, latest_definitions(session))
    counter = PeriodCounter(session, period, Scope(frozenset({agency.id}), agency=agency.code), None)
    _cases(counter, tables)
    _work(counter, tables)
    found = tables.agencies.get(agency.id) or AgencyFigures("", "")
    found.code, found.name = agency.code, agency.name
    return found


def labels(session: Session) -> dict[str, dict[str, Any]]:
    """Each process's outcome and measure codes with the labels its latest diagram gives them."""
    found = {}
    for definition in latest_definitions(session):
        info = compiled(session, definition).info
        found[definition.key] = {kind: info.labels(kind) for kind in ("outcomes", "measures", "kpis")}
    return found
