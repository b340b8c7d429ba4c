"""Reads what Xietong needs from a BPMN diagram, whichever tool wrote it, as the text the diagram declares.

Deployment checks the declared text and stores it; workflows/engine/settings.py turns the stored
text into the typed settings the product runs on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from workflows.engine.settings import (
    DEFAULT_EXTENSION_ROLE,
    DEFAULT_MAX_EXTENSIONS,
    DEFAULT_NOTICE_KIND,
    DEFAULT_PRIORITY,
    DEFAULT_ROLE,
)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SCRIPT_TAGS = {"script", "preScript", "postScript"}
EXPRESSION_TAGS = {
    "conditionExpression", "timeDuration", "timeDate", "timeCycle",
    "completionCondition", "loopCardinality", "loopCondition", "messagePayload",
}
USER_TASK_TAGS = {"userTask"}
TIMER_TAGS = {"timeDate", "timeDuration", "timeCycle"}
DEADLINE_TIMER_EXPRESSION = "due_at"  # a boundary timer firing at its task's due time (docs/diagrams.md §5.3)
FORM_ATTRIBUTES = ("formKey",)  # camunda:formKey
FORM_EXTENSION_TAGS = ("formJsonSchemaFilename",)  # spiffworkflow: a property, or an element of its own


def _local(node: etree._Element) -> str:
    """The tag name without its namespace."""
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _bpmn(tag: str) -> str:
    """A BPMN-namespaced tag."""
    return f"{{{BPMN_NS}}}{tag}"


def extension_properties(node: etree._Element) -> dict[str, str]:
    """Name/value extension properties of any namespace (spiffworkflow, camunda, zeebe, ...)."""
    props: dict[str, str] = {}
    for ext in node.findall(_bpmn("extensionElements")):
        for group in ext:
            if _local(group) != "properties":
                continue
            for prop in group:
                if _local(prop) == "property" and prop.get("name"):
                    props[prop.get("name")] = (prop.get("value") or prop.text or "").strip()
    return props


def _form_reference(node: etree._Element, props: dict[str, str]) -> str | None:
    """The task's form file: our property first, then the tools' own attributes."""
    if props.get("form"):
        return props["form"]
    for name in FORM_EXTENSION_TAGS:  # SpiffArena: <spiffworkflow:property name="formJsonSchemaFilename" .../>
        if props.get(name):
            return props[name]
    for name, value in node.attrib.items():
        if etree.QName(name).localname in FORM_ATTRIBUTES and value:
            return value.strip()
    for ext in node.findall(_bpmn("extensionElements")):
        for child in ext:
            if _local(child) in FORM_EXTENSION_TAGS and (child.text or "").strip():
                return child.text.strip()
    return None


@dataclass
class DeclaredLane:
    """A lane as declared: the agency type it stands for and how its agency is found."""

    id: str
    name: str
    agency_type: str | None
    agency_from: str | None


@dataclass
class DeclaredTask:
    """A user task's Xietong properties, as the diagram writes them."""

    id: str
    name: str
    lane: str | None
    role: str
    form: str | None
    deadline: str | None
    deadline_from: str | None
    priority: str
    copy_to: list[str] = field(default_factory=list)
    escalate_to: list[str] = field(default_factory=list)  # "lane_id" or "lane_id:role"
    remind_before: str | None = None
    extension: str | None = None
    extension_role: str = DEFAULT_EXTENSION_ROLE
    max_extensions: str = str(DEFAULT_MAX_EXTENSIONS)
    late_extension: str | None = None  # "true": an extension may be recorded after the due time (§5.2)
    kpi: str | None = None  # the performance-review indicator the task counts towards (docs/diagrams.md §9)
    kpi_name: str | None = None  # the indicator's name as the review shows it
    deadline_date: str | None = None  # a data field holding the date the task is due by (at 24:00 in China)
    prefill: str | None = None  # `field = function(arguments)` lines, computed when the task is ready
    track_per_agency: bool = False  # the instance page lists its items per agency
    title_agency: str | None = None  # a data field holding an agency code whose name the item's title shows


@dataclass
class DeclaredNotice:
    """An element's `notify` properties, as the diagram writes them."""

    id: str
    notify: list[str]  # "lane_id" or "lane_id:role"
    kind: str
    title: str


@dataclass
class DeclaredMeasure:
    """A counted event (`measure` on a flow node or a sequence flow, `outcome` on an end event), as declared.

    A flow node counts when it completes; a sequence flow when its target is reached from its source.
    """

    id: str  # the element (flow node or sequence flow)
    code: str
    label: str  # the element's name (a flow without one: its target's name)
    source: str | None = None  # a sequence flow's ends; None for a flow node
    target: str | None = None


@dataclass
class Expression:
    """A piece of Python in the diagram: a condition, script or timer."""

    element: str
    kind: str  # 'script' or 'expression'
    text: str


@dataclass
class DeclaredProcess:
    """Everything read from one executable process, as declared."""

    key: str
    name: str
    lanes: dict[str, DeclaredLane]
    tasks: dict[str, DeclaredTask]
    start_lanes: list[str | None]
    expressions: list[Expression]
    notices: dict[str, DeclaredNotice] = field(default_factory=dict)
    deadline_timers: dict[str, str] = field(default_factory=dict)  # boundary event id -> its user task id
    start_forms: dict[str, str] = field(default_factory=dict)  # start event id -> its form (the start data's schema)
    mediation_record: bool = False  # the process property `mediationRecord`: its cases have the mediator's pages
    outcomes: dict[str, DeclaredMeasure] = field(default_factory=dict)  # end event id -> the outcome it records
    measures: dict[str, DeclaredMeasure] = field(default_factory=dict)  # element or flow id -> what it counts
    misplaced_outcomes: list[str] = field(default_factory=list)  # elements other than end events declaring one

    def to_meta(self) -> dict[str, Any]:
        """The JSON stored with the definition: the declared text (workflows.engine.settings reads it)."""
        return {
            "key": self.key,
            "name": self.name,
            "lanes": {k: asdict(v) for k, v in self.lanes.items()},
            "tasks": {k: asdict(v) for k, v in self.tasks.items()},
            "start_lanes": self.start_lanes,
            "notices": {k: asdict(v) for k, v in self.notices.items()},
            "deadline_timers": self.deadline_timers,
            # One form at most (deployment checks): the schema start data must meet.
            "start_form": next(iter(set(self.start_forms.values())), None),
            "mediation_record": self.mediation_record,
            "outcomes": {k: asdict(v) for k, v in self.outcomes.items()},
            "measures": {k: asdict(v) for k, v in self.measures.items()},
        }


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """The processes marked isExecutable="true", in document order."""
    return [p for p in root.iter(_bpmn("process")) if p.get("isExecutable", "").lower() == "true"]


@dataclass
class Containers:
    """The processes, pools (participants) and collaborations of a document, in document order."""

    processes: list[etree._Element]
    pools: list[etree._Element]
    collaborations: list[etree._Element]

    def pool_of(self, process: etree._Element) -> etree._Element | None:
        """The pool that shows a process (modelers draw the pool, not the process)."""
        return next((p for p in self.pools if p.get("processRef") == process.get("id")), None)


def containers(root: etree._Element) -> Containers:
    """Collect the processes, pools and collaborations of a document."""
    return Containers(list(root.iter(_bpmn("process"))), list(root.iter(_bpmn("participant"))),
                      list(root.iter(_bpmn("collaboration"))))


def _lanes(process: etree._Element) -> tuple[dict[str, DeclaredLane], dict[str, str]]:
    """Lanes of a process and the innermost lane of each flow node."""
    lanes: dict[str, DeclaredLane] = {}
    node_lane: dict[str, str] = {}
    for lane in process.iter(_bpmn("lane")):  # parents come first, so nested lanes win
        props = extension_properties(lane)
        lane_id = lane.get("id", "")
        lanes[lane_id] = DeclaredLane(lane_id, lane.get("name", "") or lane_id,
                                  props.get("agencyType"), props.get("agencyFrom") or None)
        for ref in lane.findall(_bpmn("flowNodeRef")):
            node_lane[(ref.text or "").strip()] = lane_id
    return lanes, node_lane


def _list(value: str | None) -> list[str]:
    """A comma-separated property as a list."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _task_info(node: etree._Element, lane: str | None) -> DeclaredTask:
    """Read a user task's properties."""
    props = extension_properties(node)
    return DeclaredTask(
        id=node.get("id", ""), name=node.get("name", "") or node.get("id", ""), lane=lane,
        role=props.get("role") or DEFAULT_ROLE, form=_form_reference(node, props),
        deadline=props.get("deadline") or None, deadline_from=props.get("deadlineFrom") or None,
        priority=props.get("priority") or str(DEFAULT_PRIORITY), copy_to=_list(props.get("copyTo")),
        escalate_to=_list(props.get("escalateTo")), remind_before=props.get("remindBefore") or None,
        extension=props.get("extension") or None, extension_role=props.get("extensionRole") or DEFAULT_EXTENSION_ROLE,
        max_extensions=props.get("maxExtensions") or str(DEFAULT_MAX_EXTENSIONS),
        late_extension=props.get("lateExtension") or None,
        kpi=props.get("kpi") or None, kpi_name=props.get("kpiName") or None,
        deadline_date=props.get("deadlineDate") or None, prefill=props.get("prefill") or None,
        track_per_agency=props.get("trackPerAgency", "").lower() == "true",
        title_agency=props.get("titleAgency") or None,
    )


def _notice_info(node: etree._Element) -> DeclaredNotice | None:
    """The notice an element sends on completion, if it has a `notify` property."""
    props = extension_properties(node)
    lanes = _list(props.get("notify"))
    if not lanes:
        return None
    name = node.get("name", "") or node.get("id", "")
    return DeclaredNotice(node.get("id", ""), lanes, props.get("noticeKind") or DEFAULT_NOTICE_KIND,
                      props.get("noticeTitle") or name)


def _deadline_timer_target(node: etree._Element) -> str | None:
    """The task a boundary timer is attached to, when its expression is `due_at`."""
    for definition in node:
        if _local(definition) != "timerEventDefinition":
            continue
        for timer in definition:
            if _local(timer) in TIMER_TAGS and (timer.text or "").strip() == DEADLINE_TIMER_EXPRESSION:
                return node.get("attachedToRef") or ""
    return None


def _expressions(process: etree._Element) -> list[Expression]:
    """Every condition, script and timer expression, with the id of the element holding it."""
    found = []
    for node in process.iter():
        tag = _local(node)
        if tag not in SCRIPT_TAGS and tag not in EXPRESSION_TAGS:
            continue
        text = (node.text or "").strip()
        if not text:
            continue
        owner = node.getparent()
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        element = owner.get("id") if owner is not None else "?"
        found.append(Expression(element, "script" if tag in SCRIPT_TAGS else "expression", text))
    return found


def _counted(process: etree._Element) -> tuple[dict[str, DeclaredMeasure], dict[str, DeclaredMeasure], list[str]]:
    """The outcomes of end events, the measures of flow nodes and sequence flows (docs/diagrams.md §9),
    and the elements declaring an outcome that are not end events."""
    names = {node.get("id"): node.get("name") for node in process.iter() if isinstance(node.tag, str)}
    outcomes, measures, misplaced = {}, {}, []
    for node in process.iter():
        if not isinstance(node.tag, str) or not node.get("id"):
            continue
        props, tag, element = extension_properties(node), _local(node), node.get("id", "")
        flow = tag == "sequenceFlow"
        label = node.get("name") or (names.get(node.get("targetRef")) if flow else None) or element
        ends = {"source": node.get("sourceRef"), "target": node.get("targetRef")} if flow else {}
        if props.get("outcome") and tag == "endEvent":
            outcomes[element] = DeclaredMeasure(element, props["outcome"], label)
        elif props.get("outcome"):
            misplaced.append(element)
        if props.get("measure"):
            measures[element] = DeclaredMeasure(element, props["measure"], label, **ends)
    return outcomes, measures, misplaced


def read_process(process: etree._Element) -> DeclaredProcess:
    """Collect lanes, user tasks, start lanes and expressions of an executable process."""
    lanes, node_lane = _lanes(process)
    tasks = {}
    start_lanes: list[str | None] = []
    notices: dict[str, DeclaredNotice] = {}
    deadline_timers: dict[str, str] = {}
    start_forms: dict[str, str] = {}
    for node in process.iter():
        tag = _local(node)
        if tag in USER_TASK_TAGS:
            tasks[node.get("id", "")] = _task_info(node, node_lane.get(node.get("id", "")))
        elif tag == "startEvent" and node.getparent() is process:
            start_lanes.append(node_lane.get(node.get("id", "")))
            if form := _form_reference(node, extension_properties(node)):
                start_forms[node.get("id", "")] = form
        elif tag == "boundaryEvent":
            target = _deadline_timer_target(node)
            if target is not None:
                deadline_timers[node.get("id", "")] = target
        if tag != "lane" and node.get("id") and (info := _notice_info(node)) is not None:
            notices[info.id] = info
    outcomes, measures, misplaced = _counted(process)
    return DeclaredProcess(process.get("id", ""), process.get("name") or process.get("id", ""),
                       lanes, tasks, start_lanes, _expressions(process), notices, deadline_timers, start_forms,
                       mediation_record=extension_properties(process).get("mediationRecord", "").lower() == "true",
                       outcomes=outcomes, measures=measures, misplaced_outcomes=misplaced)


def element_ids(root: etree._Element) -> list[str]:
    """All element ids of the document."""
    return [node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")]
