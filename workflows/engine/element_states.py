"""Which diagram elements an instance has passed and where its tokens wait, read from the engine's task tree.

Work items only exist for user tasks; the task tree also knows the gateways, events, script tasks and
subprocesses a case went through, so the diagram can show the whole path.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

COMPLETED, ACTIVE = "completed", "active"
# READY: a task to do; WAITING: an event, timer or join waiting for its trigger; STARTED: a running subprocess.
_ACTIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def element_states(workflow: BpmnWorkflow) -> dict[str, str]:
    """BPMN element id -> completed or active; active wins where a loop passed an element and waits there again."""
    states: dict[str, str] = {}
    for task in workflow.get_tasks():
        element = task.task_spec.bpmn_id
        if element is None:  # the engine's own start, end and boundary-event helper specs
            continue
        if task.state & _ACTIVE_STATES:
            states[element] = ACTIVE
        elif task.state == TaskState.COMPLETED:
            states.setdefault(element, COMPLETED)
    return states
