"""The SpiffWorkflow script environment and engine that run diagram code restricted and bounded."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from workflows.scripting import runner, storable
from workflows.scripting.errors import ScriptTimeoutError
from workflows.scripting.sandbox import POOL


class Settings:
    """Whether code runs in script processes by default; bench.scripts switches it off to measure the cost."""

    isolated = True


settings = Settings()

# An operation the step-by-step limit cannot interrupt is killed at this multiple of it.
HARD_LIMIT_FACTOR = 2.0
# All conditions and scripts of one engine run together (a loop of scripts would otherwise add up).
STEP_BUDGET_SECONDS = 2.0


class _Budget:
    """The time left to the conditions and scripts of one engine run."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.remaining = seconds

    def limits(self, soft: float) -> tuple[float, float]:
        """(step-by-step limit, hard limit) for the next run of code, within what is left."""
        if self.remaining <= 0:
            raise self.spent()
        soft = min(soft, self.remaining)
        return soft, min(soft * HARD_LIMIT_FACTOR, max(self.remaining, soft))

    def spent(self) -> ScriptTimeoutError:
        """The error of a step whose code used up the budget."""
        return ScriptTimeoutError("script_step_budget", seconds=f"{self.seconds:g}")


_budget: ContextVar[_Budget | None] = ContextVar("script_budget", default=None)


@contextmanager
def step_budget(seconds: float = STEP_BUDGET_SECONDS) -> Iterator[None]:
    """Bound the total time of the conditions and scripts run inside, e.g. one engine run."""
    token = _budget.set(_Budget(seconds))
    try:
        yield
    finally:
        _budget.reset(token)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment: RestrictedPython in a separate, limited script process.

    `isolated=False` runs the code in this process instead, with the step-by-step time limit
    only: for tests of the guards, and for measuring what the isolation costs.
    """

    def __init__(self, time_limit: float = 1.0, environment_globals: dict[str, Any] | None = None,
                 isolated: bool | None = None) -> None:
        super().__init__(environment_globals)
        if time_limit <= 0:
            raise ValueError("time_limit must be positive")
        self.time_limit = time_limit
        self.isolated = settings.isolated if isolated is None else isolated

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> Any:
        """Evaluate a restricted expression over the task data; the data is not changed."""
        return self._run("eval", expression, context, self._external(external_context))

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run a restricted script; its variables become task data, nothing else does."""
        external = self._external(external_context)
        self._check_for_overwrite(context, external)
        # Only a script that finished, leaving data that can be stored, changes the task data.
        runner.copy_back(context, self._run("exec", script, context, external))
        return True

    def _run(self, mode: str, text: str, context: Mapping[str, Any], external: dict[str, Any]) -> Any:
        """Run code in a script process (or here), within this run's share of the step's budget."""
        budget = _budget.get()
        soft, hard = budget.limits(self.time_limit) if budget else (self.time_limit,
                                                                    self.time_limit * HARD_LIMIT_FACTOR)
        started = time.monotonic()
        try:
            if self.isolated:
                return POOL.run((mode, text, dict(context), external, soft), hard)
            return _run_here(mode, text, context, external, soft)
        except ScriptTimeoutError as err:
            if (soft, hard) != (self.time_limit, self.time_limit * HARD_LIMIT_FACTOR):
                assert budget is not None  # only the budget shortens the limits
                raise budget.spent() from err  # stopped because the step's time ran out, not its own
            raise
        finally:
            if budget:
                budget.remaining -= time.monotonic() - started

    def _external(self, external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        """The names the code sees besides the task data: the environment's globals, then the caller's."""
        return {**self.globals, **(external_context or {})}

    def _check_for_overwrite(self, context: Mapping[str, Any], external: Mapping[str, Any]) -> None:
        """Fail clearly when task data hides a provided name (as TaskDataEnvironment does)."""
        clashes = set(external) & set(context)
        if clashes:
            raise ValueError(
                f"task data overwrites predefined names; rename these fields: {', '.join(sorted(clashes))}"
            )


def _run_here(mode: str, text: str, context: Mapping[str, Any], external: Mapping[str, Any], seconds: float) -> Any:
    """What the script process does with a request, in this process."""
    if mode == "eval":
        return runner.evaluate(text, context, external, seconds)
    changes = runner.execute(text, context, external, seconds)
    storable.check_variables(changes[0])
    return changes


class RestrictedScriptEngine(PythonScriptEngine):
    """A SpiffWorkflow script engine whose conditions and scripts run restricted and bounded."""

    def __init__(self, time_limit: float = 1.0, isolated: bool | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(time_limit=time_limit, isolated=isolated))

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        """The failing line as the script process reported it (its traceback stayed there)."""
        line = getattr(err, "script_line", 0)
        if not line:
            return super().get_error_line_number_and_content(script, err)
        lines = script.splitlines()
        return line, lines[line - 1] if line <= len(lines) else ""


def make_script_engine(time_limit: float = 1.0, isolated: bool | None = None) -> RestrictedScriptEngine:
    """A SpiffWorkflow script engine whose conditions and scripts run restricted."""
    return RestrictedScriptEngine(time_limit=time_limit, isolated=isolated)
