"""Compaction of an instance's engine state: the completed history the engine no longer reads is dropped.

SpiffWorkflow keeps every task it ever created, so a loop grows the task tree by a few levels
per round: every step restores, walks and stores the whole history (DESIGN.md, "Long cases"), and
past about 1,000 levels the engine's iterators stop seeing the tree's leaves. The history itself
lives in the work items and the audit trail; the engine needs only what it still reads.

Each save keeps these *anchors*, with their parents:

- every unfinished task (ready, waiting, started, predicted) and every task in error, with the
  children of those tasks and their siblings: multi-instance and loop tasks count their children, a
  boundary event's join classifies its split's children, a reset in error rebuilds all of them;
- the workflow's last completed task (its data is the case data) and tasks the caller names
  (copies still to send);
- while an instance of an unstructured join (parallel, inclusive, end join) is pending, every
  instance of that join: a join counts its other instances' completed parents, and merges their data
  when it fires.

The tree keeps its root (the start task, whose data is the start data) and the paths from it to the
anchors. Finished branches that lead to no anchor are dropped; a finished task on such a path that
is no anchor and has one child is spliced out, its child linked to its parent. Readers that walk up
(descendant tests, a join's split) see the same order among the tasks kept. The parent of a kept
join instance stays, since joins read it. Subprocesses go with the task that holds them.

What this changes in the engine's behaviour: a join in a loop no longer sees the instances of earlier
rounds, which SpiffWorkflow 3.2.0 counts: on the full tree a looped parallel join fires on the first
branch of a round that finishes in another order than the round before, and a looped inclusive join
on the first branch of every round after the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from workflows.engine.serialization import state_to_dict

# Element ids of completed tasks dropped from the tree, kept in the stored state for the diagram's marks.
COMPLETED_ELEMENTS = "xietong_completed_elements"

_LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
_REACHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# A join instance reached by a branch (predicted ones exist in every loop round and read nothing yet).
_PENDING = TaskState.WAITING | TaskState.READY | TaskState.STARTED


class Settings:
    """Whether saves compact; bench/history switches it off to measure the engine's own growth."""

    enabled = True


settings = Settings()


def compact(workflow: BpmnWorkflow, keep: Iterable[str] = ()) -> set[str]:
    """Drop what the engine no longer reads from the workflow and its subprocesses.

    `keep` are task ids the caller still needs. Returns the element ids of the completed tasks dropped.
    """
    keep_ids = _uuids(keep)
    dropped = _contract(workflow, keep_ids)
    for subprocess in list(workflow.subprocesses.values()):
        dropped += _contract(subprocess, keep_ids)
    dropped += _drop_orphan_subprocesses(workflow)
    for task in dropped:
        workflow.event_manager.remove_task(task)
    return {task.task_spec.bpmn_id for task in dropped
            if task.state == TaskState.COMPLETED and task.task_spec.bpmn_id is not None}


def compacted_state(workflow: BpmnWorkflow, previous: dict[str, Any] | None,
                    keep: Iterable[str] = ()) -> dict[str, Any]:
    """The state to store: compacted (unless switched off), carrying the completed elements dropped so far."""
    dropped = compact(workflow, keep) if settings.enabled else set()
    state = state_to_dict(workflow)
    completed = completed_elements(previous) | dropped
    if completed:
        state[COMPLETED_ELEMENTS] = sorted(completed)
    return state


def completed_elements(state: dict[str, Any] | None) -> set[str]:
    """The element ids of completed tasks that compaction dropped from a stored state."""
    return set((state or {}).get(COMPLETED_ELEMENTS, []))


def deepest_reached_task(workflow: BpmnWorkflow) -> tuple[Task | None, int]:
    """The reached, unfinished task farthest from the root (ready, waiting, started or failed) and its depth.

    Depths are walked up the tree, not read by the engine's iterator, which stops at 1000 levels.
    """
    deepest, depth = None, 0
    for task in workflow.tasks.values():
        if task.state & _REACHED and (level := task.depth) >= depth:
            deepest, depth = task, level
    return deepest, depth


def _uuids(ids: Iterable[str]) -> set[UUID]:
    """Task ids as UUIDs (a string that is no UUID names no task and is ignored)."""
    result = set()
    for value in ids:
        try:
            result.add(UUID(str(value)))
        except ValueError:
            continue
    return result


def _is_unstructured_join(spec: Any) -> bool:
    """A join that looks for its other instances anywhere in the tree (parallel, inclusive, end join)."""
    return isinstance(spec, Join) and spec.split_task is None


def _anchors(workflow: Any, keep_ids: set[UUID]) -> set[UUID]:
    """The tasks the engine and the product still read, and their parents."""
    tasks = workflow.tasks
    live = [task for task in tasks.values() if task.state & _LIVE]
    anchors = {task.id for task in live}
    for task in live:
        anchors.update(task._children)
        if task._parent in tasks:
            anchors.update(tasks[task._parent]._children)
    if workflow.last_task is not None:
        anchors.add(workflow.last_task.id)
    anchors.update(keep_ids)
    pending = {task.task_spec for task in live if task.state & _PENDING and _is_unstructured_join(task.task_spec)}
    if pending:
        anchors.update(task.id for task in tasks.values() if task.task_spec in pending)
    anchors = {tid for tid in anchors if tid in tasks}
    return anchors | {tasks[tid]._parent for tid in anchors if tasks[tid]._parent in tasks}


def _skeleton(tasks: dict[UUID, Task], anchors: set[UUID], root: UUID) -> set[UUID]:
    """The anchors, the root, and every task on a path between them."""
    kept = {root}
    for tid in anchors:
        while tid in tasks and tid not in kept:
            kept.add(tid)
            tid = tasks[tid]._parent
    return kept


def _spliced(tasks: dict[UUID, Task], kept: set[UUID], anchors: set[UUID], root: UUID) -> set[UUID]:
    """The kept tasks that only link one task to another: no anchor, one kept child, not a join's parent."""

    def only_child(tid: UUID) -> UUID | None:
        children = [child for child in tasks[tid]._children if child in kept]
        return children[0] if len(children) == 1 else None

    def stays(tid: UUID) -> bool:
        return tid in anchors or tid == root or only_child(tid) is None

    spliced = set()
    for tid in kept:
        if stays(tid):
            continue
        child = only_child(tid)
        if not (_is_unstructured_join(tasks[child].task_spec) and stays(child)):
            spliced.add(tid)
    return spliced


def _relink(tasks: dict[UUID, Task], kept: set[UUID], spliced: set[UUID]) -> None:
    """Give every remaining task its remaining children, in their order, past the spliced ones."""
    for tid in kept - spliced:
        task, children = tasks[tid], []
        for child in task._children:
            if child not in kept:
                continue
            while child in spliced:  # a spliced task has exactly one kept child
                child = next(c for c in tasks[child]._children if c in kept)
            tasks[child]._parent = tid
            children.append(child)
        task._children = children


def _contract(workflow: Any, keep_ids: set[UUID]) -> list[Task]:
    """Compact one (sub)workflow's tree in place; return the tasks removed."""
    tasks, root = workflow.tasks, workflow.task_tree.id
    anchors = _anchors(workflow, keep_ids)
    kept = _skeleton(tasks, anchors, root)
    spliced = _spliced(tasks, kept, anchors, root)
    if len(kept) - len(spliced) == len(tasks):
        return []
    _relink(tasks, kept, spliced)
    removed = [task for tid, task in tasks.items() if tid not in kept or tid in spliced]
    for task in removed:
        del tasks[task.id]
    return removed


def _drop_orphan_subprocesses(workflow: BpmnWorkflow) -> list[Task]:
    """Remove the subprocesses whose holding task was removed (nested ones with them); return their tasks."""
    dropped: list[Task] = []
    while True:
        present = set(workflow.tasks).union(*(sub.tasks for sub in workflow.subprocesses.values()))
        orphans = [tid for tid in workflow.subprocesses if tid not in present]
        if not orphans:
            return dropped
        for tid in orphans:
            dropped += list(workflow.subprocesses.pop(tid).tasks.values())
