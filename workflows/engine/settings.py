"""A deployed process's settings as typed objects, built once from the JSON stored with its definition.

The diagram declares its settings as text (workflows/engine/diagram.py); deployment checks that text
and stores it as declared (`process_definition.meta`). Everything else reads these objects instead:
numbers are numbers, periods are parsed, `lane:role` entries are split. Rows stored by earlier
versions may lack a key; it then has the default the diagram property has (docs/diagrams.md §4).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from workflows.deadlines.periods import Period, parse_period
from workflows.engine.prefill import Prefill, parse_prefill

DEFAULT_ROLE = "liaison"
DEFAULT_EXTENSION_ROLE = "leader"
DEFAULT_MAX_EXTENSIONS = 1
DEFAULT_PRIORITY = 0
DEFAULT_NOTICE_KIND = "process_event"
# What deployment lets through, so the int() below never fails on a stored definition.
PRIORITY_TEXT = re.compile(r"-?\d{1,6}")
MAX_EXTENSIONS_TEXT = re.compile(r"\d{1,2}")


@dataclass(frozen=True)
class Recipient:
    """A lane whose agency is told, optionally only its users holding a role (`lane_id[:role]`)."""

    lane: str
    role: str | None = None

    @classmethod
    def parse(cls, entry: str) -> Recipient:
        """Read a `lane_id` or `lane_id:role` entry."""
        lane, _, role = entry.partition(":")
        return cls(lane, role or None)

    def __str__(self) -> str:
        """The entry as a diagram writes it."""
        return f"{self.lane}:{self.role}" if self.role else self.lane


@dataclass(frozen=True)
class LaneInfo:
    """A lane: the agency type it stands for and the data field that may name its agency."""

    id: str
    name: str
    agency_type: str | None
    agency_from: str | None = None


@dataclass(frozen=True)
class ExtensionRule:
    """How far and how often the holding agency may extend a deadline (docs/diagrams.md §5.2)."""

    period: Period
    role: str = DEFAULT_EXTENSION_ROLE
    max_count: int = DEFAULT_MAX_EXTENSIONS
    late: bool = False  # may be recorded after the due time (lateExtension); the miss stays recorded


@dataclass(frozen=True)
class DeadlineRule:
    """A task's deadline: its period, what it counts from, and the reminder, extension and escalation it has.

    Either a period (`deadline`, counted from `counts_from` or the task's creation) or a date named in
    the data (`deadlineDate`: due at 24:00 of that day in China); deployment refuses both at once.
    """

    period: Period | None
    counts_from: str | None = None  # a data field holding the start date; None: the task's creation
    remind_before: Period | None = None  # None: half the period, at most a day
    extension: ExtensionRule | None = None
    escalate_to: tuple[Recipient, ...] = ()
    until: str | None = None  # a data field holding the date the task is due by (at its end); then no period


@dataclass(frozen=True)
class TaskInfo:
    """A user task's settings: who does it, with which form, by when."""

    id: str
    name: str
    lane: str
    role: str = DEFAULT_ROLE
    form: str | None = None
    priority: int = DEFAULT_PRIORITY
    deadline: DeadlineRule | None = None
    copy_to: tuple[str, ...] = ()  # lanes whose agencies receive a copy when the task completes
    kpi: str | None = None  # the performance-review indicator whose on-time rate the task counts towards
    kpi_name: str | None = None
    prefill: tuple[Prefill, ...] = ()  # values the system computes into the task's data when it is ready
    track_per_agency: bool = False  # the instance page lists its items per agency: on time, late, open
    title_agency: str | None = None  # a data field holding an agency code; its name is added to the item's title


@dataclass(frozen=True)
class NoticeInfo:
    """An element that tells other lanes' agencies when it completes."""

    id: str
    notify: tuple[Recipient, ...]
    kind: str
    title: str  # may hold {field} placeholders filled from the case data


@dataclass(frozen=True)
class Counted:
    """What the statistics count (docs/diagrams.md §9): a case's outcome at an end event, or a measure.

    A measure on a flow node counts when the node completes; on a sequence flow, when the flow's
    target is reached from its source.
    """

    id: str  # the element or sequence flow declaring it
    code: str
    label: str
    source: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class ProcessInfo:
    """Everything the product reads of one deployed process besides its engine spec and forms."""

    key: str
    name: str
    lanes: Mapping[str, LaneInfo]
    tasks: Mapping[str, TaskInfo]
    start_lanes: tuple[str | None, ...] = ()
    notices: Mapping[str, NoticeInfo] = field(default_factory=dict)
    deadline_timers: Mapping[str, str] = field(default_factory=dict)  # boundary event id -> its user task id
    start_form: str | None = None  # the form start data must meet; None: the process takes none
    mediation_record: bool = False  # its cases are listed on the mediator's pages (process property mediationRecord)
    outcomes: Mapping[str, Counted] = field(default_factory=dict)  # end event id -> the outcome it records
    measures: Mapping[str, Counted] = field(default_factory=dict)  # element or flow id -> what it counts

    def lane_of(self, task: TaskInfo) -> LaneInfo:
        """The lane a task is in."""
        return self.lanes[task.lane]

    def deadline_of(self, task_id: str) -> DeadlineRule | None:
        """A task's deadline rule (None: the task has no deadline)."""
        task = self.tasks.get(task_id)
        return task.deadline if task is not None else None

    def timers_of(self, task_id: str) -> frozenset[str]:
        """The `due_at` boundary timers attached to a task."""
        return frozenset(timer for timer, owner in self.deadline_timers.items() if owner == task_id)

    @cached_property
    def start_agency_types(self) -> frozenset[str]:
        """The agency types the start events' lanes allow to start the process (empty: any)."""
        lanes = [self.lanes.get(lane) for lane in self.start_lanes if lane]
        return frozenset(lane.agency_type for lane in lanes if lane is not None and lane.agency_type)

    @cached_property
    def copy_sources(self) -> frozenset[str]:
        """The user tasks that declare copyTo lanes."""
        return frozenset(task.id for task in self.tasks.values() if task.copy_to)

    @cached_property
    def counted_nodes(self) -> frozenset[str]:
        """The flow nodes whose completion the statistics record: outcome end events and measured nodes."""
        return frozenset(self.outcomes) | frozenset(m.id for m in self.measures.values() if m.source is None)

    @cached_property
    def measured_flows(self) -> Mapping[tuple[str, str], Counted]:
        """The measured sequence flows by (source, target)."""
        return {(m.source, m.target): m for m in self.measures.values() if m.source and m.target}

    def labels(self, codes: str) -> dict[str, str]:
        """Outcome ('outcomes'), measure ('measures') or indicator ('kpis') codes with their names, in diagram order.

        The first name wins; an indicator without a `kpiName` is named after its first task.
        """
        found: dict[str, str] = {}
        if codes == "kpis":
            for task in self.tasks.values():
                if task.kpi:
                    found.setdefault(task.kpi, task.kpi_name or task.name)
            return found
        for counted in getattr(self, codes).values():
            found.setdefault(counted.code, counted.label)
        return found

    @cached_property
    def agency_types(self) -> frozenset[str]:
        """The agency types of all lanes."""
        return frozenset(lane.agency_type for lane in self.lanes.values() if lane.agency_type)


def _period(text: str | None) -> Period | None:
    """A stored period text, parsed (None when the property is not set)."""
    return parse_period(text) if text else None


def _deadline(raw: Mapping[str, Any]) -> DeadlineRule | None:
    """The deadline rule of a stored task (deployment refuses the other deadline settings without one)."""
    period, until = _period(raw.get("deadline")), raw.get("deadline_date") or None
    if period is None and until is None:
        return None
    extension = _period(raw.get("extension"))
    return DeadlineRule(
        period=period, counts_from=raw.get("deadline_from") or None, until=until,
        remind_before=_period(raw.get("remind_before")),
        extension=ExtensionRule(extension, raw.get("extension_role") or DEFAULT_EXTENSION_ROLE,
                                int(raw.get("max_extensions") or DEFAULT_MAX_EXTENSIONS),
                                late=str(raw.get("late_extension") or "").lower() == "true") if extension else None,
        escalate_to=tuple(Recipient.parse(entry) for entry in raw.get("escalate_to") or ()))


def _task(raw: Mapping[str, Any]) -> TaskInfo:
    """A stored task's settings."""
    return TaskInfo(id=raw["id"], name=raw.get("name") or raw["id"], lane=raw.get("lane") or "",
                    role=raw.get("role") or DEFAULT_ROLE, form=raw.get("form") or None,
                    priority=int(raw.get("priority") or DEFAULT_PRIORITY), deadline=_deadline(raw),
                    copy_to=tuple(raw.get("copy_to") or ()), kpi=raw.get("kpi") or None,
                    kpi_name=raw.get("kpi_name") or None,
                    prefill=tuple(parse_prefill(raw["prefill"])) if raw.get("prefill") else (),
                    track_per_agency=bool(raw.get("track_per_agency")), title_agency=raw.get("title_agency") or None)


def _notice(raw: Mapping[str, Any]) -> NoticeInfo:
    """A stored notice's settings."""
    return NoticeInfo(raw["id"], tuple(Recipient.parse(entry) for entry in raw.get("notify") or ()),
                      raw.get("kind") or DEFAULT_NOTICE_KIND, raw.get("title") or raw["id"])


def process_info(meta: Mapping[str, Any]) -> ProcessInfo:
    """The typed settings of a definition from the JSON stored with it."""
    return ProcessInfo(
        key=meta.get("key", ""), name=meta.get("name", ""),
        lanes={lane_id: LaneInfo(lane_id, raw.get("name") or lane_id, raw.get("agency_type"),
                                 raw.get("agency_from") or None) for lane_id, raw in meta.get("lanes", {}).items()},
        tasks={task_id: _task(raw) for task_id, raw in meta.get("tasks", {}).items()},
        start_lanes=tuple(meta.get("start_lanes") or ()),
        notices={notice_id: _notice(raw) for notice_id, raw in (meta.get("notices") or {}).items()},
        deadline_timers=dict(meta.get("deadline_timers") or {}), start_form=meta.get("start_form") or None,
        mediation_record=bool(meta.get("mediation_record")),
        outcomes={k: Counted(**raw) for k, raw in (meta.get("outcomes") or {}).items()},
        measures={k: Counted(**raw) for k, raw in (meta.get("measures") or {}).items()})
