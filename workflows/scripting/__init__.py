"""Restricted Python for diagram conditions and scripts (DESIGN.md, "Security facts"; README, "Security").

Diagrams are data uploaded by users, so their expressions and scripts run through
RestrictedPython instead of plain ``eval``/``exec``: no imports, no dunder access, a
small set of builtins, guarded attribute, item and iteration access, a time limit that
works in any thread, and, around all of it, a separate script process whose memory is
capped and which is killed when an operation outlives the hard time limit.

- ``policy``: what code compiles (the compile-time rules and the compile cache);
- ``guards``: run-time checks of operations that could build huge values in one C call;
- ``runner``: namespaces, builtins and the time limit of one run in this process;
- ``storable``: what task data may hold;
- ``sandbox``, ``protocol``, ``child``: the script processes and how they are spoken to;
- ``environment``: the SpiffWorkflow script environment and engine built on them.

The script process imports this package too, but not SpiffWorkflow: the environment's
names are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workflows.scripting.errors import (
    RestrictedCodeError,
    ScriptLimitError,
    ScriptTimeoutError,
    UnstorableDataError,
)
from workflows.scripting.guards import MAX_INT_BITS, MAX_RANGE_LENGTH, MAX_SEQUENCE_LENGTH
from workflows.scripting.policy import check_expression, check_script

if TYPE_CHECKING:
    from workflows.scripting.environment import (
        RestrictedEnvironment,
        RestrictedScriptEngine,
        make_script_engine,
        step_budget,
    )

__all__ = [
    "MAX_INT_BITS",
    "MAX_RANGE_LENGTH",
    "MAX_SEQUENCE_LENGTH",
    "RestrictedCodeError",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "ScriptLimitError",
    "ScriptTimeoutError",
    "UnstorableDataError",
    "check_expression",
    "check_script",
    "make_script_engine",
    "step_budget",
]

_ENVIRONMENT_NAMES = frozenset({"RestrictedEnvironment", "RestrictedScriptEngine", "make_script_engine", "step_budget"})


def __getattr__(name: str) -> Any:
    """Load the SpiffWorkflow integration when one of its names is first asked for."""
    if name in _ENVIRONMENT_NAMES:
        from workflows.scripting import environment

        return getattr(environment, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
