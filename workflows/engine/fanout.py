"""A bound on the task data the engine copies in one step, in the server process (issue 14).

SpiffWorkflow gives every task that starts a copy of its parent's data (`Task._inherit_data`). A
diagram can make it copy many times in one step: a parallel split with thousands of branches, a
multi-instance task, a loop of gateways that never waits (about 1,000 levels before the engine
stops seeing its tree). Each copy is bounded by what task data may hold
(workflows.scripting.storable); this bounds their number, so a step's copies stay within a few
hundred MB. The engine has no hook for it, so its method is wrapped, as workflows.engine.clocked
wraps its clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from SpiffWorkflow.task import Task

# Above the ~1,000 copies of a loop the depth check stops (workflows.engine.runtime), so that check
# keeps its own message; x 20,000 values per copy, some 320 MB at most.
MAX_COPIES_PER_STEP = 2_000

_copies: ContextVar[list[int] | None] = ContextVar("engine_copies", default=None)
_inherit_data = Task._inherit_data


class TooManyTasksError(RuntimeError):
    """One engine step started more tasks, each with a copy of the data, than it may."""

    def __init__(self, task: Task) -> None:
        super().__init__(f"one step started more than {MAX_COPIES_PER_STEP:,} tasks (each with a copy of the "
                         "case data); a split, a multi-instance task or a loop must wait sooner")
        self.task = task  # named in the instance's error


@contextmanager
def counted_copies() -> Iterator[None]:
    """Count the data copies of the engine step run inside, and stop it past the bound."""
    token = _copies.set([0])
    try:
        yield
    finally:
        _copies.reset(token)


def _counted_inherit_data(self: Task) -> None:
    """Task._inherit_data, counted against the step's bound."""
    count = _copies.get()
    if count is not None:
        count[0] += 1
        if count[0] > MAX_COPIES_PER_STEP:
            raise TooManyTasksError(self)
    _inherit_data(self)


def install() -> None:
    """Wrap the engine's data inheritance (idempotent)."""
    Task._inherit_data = _counted_inherit_data  # type: ignore[method-assign]


install()
