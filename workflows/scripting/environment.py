"""The SpiffWorkflow script environment and engine that run diagram code restricted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from workflows.scripting import runner


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs RestrictedPython under a time limit."""

    def __init__(self, time_limit: float = 1.0, environment_globals: dict[str, Any] | None = None) -> None:
        super().__init__(environment_globals)
        if time_limit <= 0:
            raise ValueError("time_limit must be positive")
        self.time_limit = time_limit

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> Any:
        """Evaluate a restricted expression over the task data; the data is not changed."""
        return runner.evaluate(expression, context, self._external(external_context), self.time_limit)

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run a restricted script; its variables become task data, nothing else does."""
        external = self._external(external_context)
        self._check_for_overwrite(context, external)
        # Only a script that finished changes the data (besides objects it mutated in place).
        runner.copy_back(context, runner.execute(script, context, external, self.time_limit))
        return True

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


def make_script_engine(time_limit: float = 1.0) -> PythonScriptEngine:
    """A SpiffWorkflow script engine whose conditions and scripts run restricted."""
    return PythonScriptEngine(environment=RestrictedEnvironment(time_limit=time_limit))
