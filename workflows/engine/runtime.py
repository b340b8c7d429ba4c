"""Creating, restoring and stepping engine workflows."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from workflows.engine.serialization import workflow_from_state
from workflows.scripting import make_script_engine

# The engine loses sight of tasks deeper than its max_depth (1000) and then reports the
# workflow complete; stop well before that (DESIGN.md, "Depth bug").
MAX_TASK_DEPTH = 800


class EngineError(RuntimeError):
    """The engine could not continue: a failing script, a timeout, a runaway loop."""


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


def run_engine(workflow: BpmnWorkflow) -> None:
    """Run automatic steps to the next wait state, turning engine failures into EngineError."""
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except Exception as err:  # any failure of diagram code must stop the instance, not the server
        raise EngineError(_describe(err)) from err
    _check_depth(workflow)


def complete_task(workflow: BpmnWorkflow, task: Task, data: dict[str, Any]) -> None:
    """Merge submitted data into a READY user task, run it and step the engine on."""
    task.data.update(data)
    try:
        task.run()
    except Exception as err:
        raise EngineError(_describe(err)) from err
    run_engine(workflow)


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


def _check_depth(workflow: BpmnWorkflow) -> None:
    """Refuse to continue an instance whose task tree nears the engine's blind depth."""
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        if task.depth > MAX_TASK_DEPTH:
            raise EngineError(
                f"loop ran too long at '{task.task_spec.bpmn_id}' (depth {task.depth}); "
                "bound the loop in the diagram"
            )


def _describe(err: Exception) -> str:
    """A one-line reason naming the element where the engine failed."""
    task = getattr(err, "task", None)
    where = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
    prefix = f"at '{where}': " if where else ""
    return f"{prefix}{type(err).__name__}: {err}"


def next_timer_due(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest due time over the instance's waiting timer events."""
    due = []
    for event in workflow.waiting_events():
        if "Timer" in event.event_type and isinstance(event.value, str):
            try:
                due.append(datetime.fromisoformat(event.value))
            except ValueError:
                continue  # cycle timers carry a non-date value; the worker refreshes them anyway
    return min(due) if due else None
