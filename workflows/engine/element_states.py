"""Which diagram elements an instance has passed and where its tokens wait, read from the engine's task tree.

Work items only exist for user tasks; the task tree also knows the gateways, events, script tasks and
subprocesses a case went through, so the diagram can show the whole path. Compaction drops completed
tasks from the tree and lists their elements in the stored state: the caller passes that list.
"""

from __future__ import annotations

from collections.abc import Iterable

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

COMPLETED, ACTIVE = "completed", "active"
# READY: a task to do; WAITING: an event, timer or join waiting for its trigger; STARTED: a running subprocess.
_ACTIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def element_states(workflow: BpmnWorkflow, completed: Iterable[str] = ()) -> dict[str, str]:
    """BPMN element id -> completed or active; active wins where a loop passed an element and waits there again.

    `completed` are elements whose completed tasks are no longer in the tree.
    """
    states: dict[str, str] = dict.fromkeys(completed, COMPLETED)
    for task in workflow.get_tasks():
        element = task.task_spec.bpmn_id
        if element is None:  # the engine's own start, end and boundary-event helper specs
            continue
        if task.state & _ACTIVE_STATES:
            states[element] = ACTIVE
        elif task.state == TaskState.COMPLETED:
            states.setdefault(element, COMPLETED)
    return states
