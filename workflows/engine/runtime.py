"""Creating, restoring and stepping engine workflows."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from workflows.engine import clocked  # noqa: F401 - the engine's timers read workflows.clock
from workflows.engine.compaction import deepest_reached_task
from workflows.engine.diagram import DEADLINE_TIMER_EXPRESSION
from workflows.engine.fanout import counted_copies
from workflows.engine.serialization import workflow_from_state
from workflows.messages import CodedError
from workflows.scripting import RestrictedScriptEngine, step_budget
from workflows.scripting.errors import ScriptLimitError
from workflows.scripting.storable import data_problem

# The engine's iterators stop 1000 levels below the root: a deeper task is invisible, and the workflow
# then reports itself complete (DESIGN.md, "Depth bug"). Saves compact the tree to a few levels whatever
# the history (workflows.engine.compaction), so only a single step can go that deep: a loop of automatic
# tasks that never waits for a person, a timer or a message. Stop such a step before the engine goes blind.
MAX_TASK_DEPTH = 900

# A `due_at` boundary timer fires at its task's work-item due time. The engine evaluates the timer
# before the work item exists, so it first gets this far-off placeholder; the work-item sync then
# writes the real due time into the timer (and an extension moves it).
UNSET_DUE_AT = "9999-12-31T00:00:00+00:00"
TIMER_EVENT_TYPES = frozenset({"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"})
# A multi-instance task's loopCardinality: the engine creates that many tasks at once, in this process.
MAX_INSTANCES = 1_000


class EngineError(CodedError, RuntimeError):
    """The engine could not continue: a failing script, a timeout, a runaway loop."""


# `deadline(period, start)` for timer expressions; set by the caller around each engine run,
# because it needs the holiday calendar of the caller's database session.
_timer_deadline: ContextVar[Callable[[str, Any], str] | None] = ContextVar("timer_deadline", default=None)


class XietongScriptEngine(RestrictedScriptEngine):
    """The restricted script engine; timer expressions also see `due_at` and `deadline`."""

    def evaluate(self, task: Task, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate a condition, timer or multi-instance expression of the task's element."""
        event_definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(event_definition, TimerEventDefinition):
            return self._timer(task, expression, external_context)
        value = super().evaluate(task, expression, external_context)
        if expression == getattr(task.task_spec, "cardinality", None):
            _check_cardinality(task, value)
        return value

    def _timer(self, task: Task, expression: str, external_context: dict[str, Any] | None) -> Any:
        if expression.strip() == DEADLINE_TIMER_EXPRESSION:
            return UNSET_DUE_AT
        deadline = _timer_deadline.get()
        # Only an expression that calls it gets `deadline`: sending it reads the holiday calendar.
        names = {"deadline": deadline} if deadline is not None and "deadline" in expression else {}
        try:  # the timer names win over data fields of the same name
            return self.environment.evaluate(expression, {**task.data, **names}, external_context)
        except Exception as err:
            raise EngineError("timer_expression_failed", element=task.task_spec.bpmn_id, expression=expression,
                              detail=str(err)) from err


def _check_cardinality(task: Task, value: Any) -> None:
    """Refuse a loopCardinality the engine would turn into more tasks than a step can hold."""
    if isinstance(value, int) and value > MAX_INSTANCES:
        raise EngineError("cardinality_too_large", element=task.task_spec.bpmn_id, value=f"{value:,}",
                          limit=f"{MAX_INSTANCES:,}")


def make_script_engine() -> XietongScriptEngine:
    """The engine's script engine: restricted conditions and scripts, timer helpers."""
    return XietongScriptEngine()


def parse_spec(root: etree._Element, key: str, filename: str = "diagram.bpmn") -> tuple[Any, dict[str, Any]]:
    """Parse a diagram's process into an engine spec and its subprocess specs."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(root, filename=filename)
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def new_workflow(specs: tuple[Any, dict[str, Any]]) -> BpmnWorkflow:
    """A fresh workflow on the given spec objects, with the restricted script engine."""
    spec, subs = specs
    return BpmnWorkflow(spec, subs, script_engine=make_script_engine())


def restore_workflow(specs: tuple[Any, dict[str, Any]], state: dict[str, Any]) -> BpmnWorkflow:
    """A stored instance on the given spec objects, ready to step."""
    workflow = workflow_from_state(specs[0], specs[1], state)
    workflow.script_engine = make_script_engine()
    return workflow


def run_engine(workflow: BpmnWorkflow, deadline: Callable[[str, Any], str] | None = None) -> None:
    """Fire due timers and run automatic steps to the next wait state; failures become EngineError."""
    _step(workflow, deadline, lambda: None)


def complete_task(workflow: BpmnWorkflow, task: Task, data: dict[str, Any],
                  deadline: Callable[[str, Any], str] | None = None) -> None:
    """Merge submitted data into a READY user task, run it and step the engine on."""

    def submit() -> None:
        task.data.update(data)
        task.run()

    _step(workflow, deadline, submit)


def _step(workflow: BpmnWorkflow, deadline: Callable[[str, Any], str] | None, first: Callable[[], None]) -> None:
    """Run `first`, then the engine to its next wait state, with one time budget for all diagram code.

    Whatever happens, the task data it leaves can be stored: a value that cannot is left out and
    stops the step (workflows.scripting.storable).
    """
    start_depth = deepest_reached_task(workflow)[1]
    since = time.time() - 1  # tasks changed by this step (the engine stamps each change with time.time())
    token = _timer_deadline.set(deadline)
    try:
        with step_budget(), counted_copies():
            first()
            workflow.refresh_timers()
            workflow.do_engine_steps()
    except EngineError:
        _drop_unstorable(workflow, since)
        raise
    except Exception as err:  # any failure of diagram code must stop the instance, not the server
        _drop_unstorable(workflow, since)
        raise _described(err) from err
    finally:
        _timer_deadline.reset(token)
    _check_depth(workflow, start_depth)
    problem = _drop_unstorable(workflow, since)
    if problem:
        raise problem


def _changed_tasks(workflow: BpmnWorkflow, since: float) -> Iterator[Task]:
    """The tasks of the workflow and its subprocesses whose state changed since the given time."""
    for tasks in [workflow.tasks, *(sub.tasks for sub in workflow.subprocesses.values())]:
        yield from (task for task in tasks.values() if task.last_state_change >= since)


def _drop_unstorable(workflow: BpmnWorkflow, since: float) -> EngineError | None:
    """Leave out the fields of changed task data that cannot be stored; say why for the first one.

    Scripts cannot leave such values (the script process refuses them); the engine can, with a
    message payload or a multi-instance output. Only what a task holds unlike its parent is
    checked: the engine shares the rest with the parent, checked with it (or at an earlier step).
    """
    reason = None
    changed = [(t.task_spec.bpmn_id or t.task_spec.name, t.data, t.parent.data if t.parent else {})
               for t in _changed_tasks(workflow, since)]
    for element, data, inherited in [*changed, (None, workflow.data, {})]:  # a finished workflow copies its last
        own = {key: value for key, value in data.items() if key not in inherited or inherited[key] != value}
        while found := data_problem(own):
            field, why = found
            del data[field], own[field]
            reason = reason or (EngineError("data_not_storable_at", element=element, reason=why, field=field)
                                if element else EngineError("data_not_storable", reason=why, field=field))
    return reason


def deadline_timers(workflow: BpmnWorkflow, task: Task, timer_ids: set[str]) -> list[Task]:
    """The waiting `due_at` boundary timers attached to a task (siblings under its boundary split)."""
    if task.parent is None or not timer_ids:
        return []
    return [t for t in task.parent.children
            if t.task_spec.bpmn_id in timer_ids and t.state == TaskState.WAITING]


def set_timer_due(timer: Task, due: datetime) -> None:
    """Make a waiting timer event fire at the given instant."""
    timer._set_internal_data(event_value=due.isoformat())  # where the engine keeps a timer's due time


def completed_task_ids(workflow: BpmnWorkflow, bpmn_ids: set[str]) -> dict[str, str]:
    """Completed tasks of the given elements: engine task id -> element id."""
    if not bpmn_ids:
        return {}
    return {str(t.id): t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.bpmn_id in bpmn_ids}


REACHED = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.COMPLETED | TaskState.ERROR


def _bpmn_parent(task: Task) -> Task | None:
    """The nearest ancestor that is a diagram element (the engine inserts its own, e.g. for boundary events)."""
    parent = task.parent
    while parent is not None and parent.task_spec.bpmn_id is None:
        parent = parent.parent
    return parent


def reached_flows(workflow: BpmnWorkflow, flows: Any) -> dict[str, tuple[str, str]]:
    """Tasks reached through one of the given (source, target) sequence flows: engine task id -> the flow.

    A task counts once it is reached (ready or further, not merely predicted), and the flow is the one
    from its parent element; a joining gateway has one parent, so a flow into a join is not seen.
    """
    if not flows:
        return {}
    targets = {target for _, target in flows}
    found = {}
    for task in workflow.get_tasks(state=REACHED):
        if task.task_spec.bpmn_id in targets and (parent := _bpmn_parent(task)) is not None:
            flow = (parent.task_spec.bpmn_id, task.task_spec.bpmn_id)
            if flow in flows:
                found[str(task.id)] = flow
    return found


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """The READY manual tasks, which become work items."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def find_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    """The engine task with the given UUID string, if it exists."""
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, TaskNotFoundException):
        return None


def snapshot_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case data as it stands: the last completed task's data, then the waiting tasks' data."""
    data: dict[str, Any] = dict(workflow.data)
    if workflow.last_task is not None:
        data.update(workflow.last_task.data)
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        data.update(task.data)
    data.pop("data_objects", None)
    return data


def _check_depth(workflow: BpmnWorkflow, start_depth: int) -> None:
    """Refuse to continue an instance whose task tree nears the engine's blind depth, saying why."""
    task, depth = deepest_reached_task(workflow)
    if task is None or depth <= MAX_TASK_DEPTH:
        return
    element = task.task_spec.bpmn_id or task.task_spec.name
    if depth - start_depth > MAX_TASK_DEPTH // 2:
        raise EngineError("loop_without_waiting", element=element, levels=depth - start_depth)
    raise EngineError("task_tree_too_deep", element=element, depth=depth)


def _script_limit(err: BaseException) -> ScriptLimitError | None:
    """The script limit behind an engine failure, if that is what stopped it (SpiffWorkflow wraps it)."""
    seen: BaseException | None = err
    for _ in range(5):
        if seen is None or isinstance(seen, ScriptLimitError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _described(err: Exception) -> EngineError:
    """The engine's failure as a reason naming the element; the exception's own text is its detail."""
    task = getattr(err, "task", None)
    where = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
    cause = err.__cause__ or err.__context__  # SpiffWorkflow wraps a failing condition without its reason
    reason = f" {type(cause).__name__}: {cause}" if cause is not None and str(cause) not in str(err) else ""
    detail = f"{err}{reason}"
    limit = _script_limit(err)
    if where and limit is not None:  # a diagram's code stopped by its limits: said as a message of its own
        return EngineError("script_stopped", element=where, reason=limit.message)
    if where:
        return EngineError("step_failed", element=where, kind=type(err).__name__, detail=detail)
    return EngineError("failure", kind=type(err).__name__, detail=detail)


def next_timer_due(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest due time over the instance's waiting timer events."""
    due = []
    for event in workflow.waiting_events():
        if event.event_type in TIMER_EVENT_TYPES and isinstance(event.value, str) and event.value != UNSET_DUE_AT:
            try:
                due.append(TimerEventDefinition.get_datetime(event.value))
            except ValueError:
                continue  # duration text or a cycle: the engine resolves it on its next refresh
    return min(due) if due else None
