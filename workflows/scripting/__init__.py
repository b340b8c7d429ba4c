"""Restricted Python for diagram conditions and scripts (DESIGN.md, "Security facts").

Diagrams are data uploaded by users, so their expressions and scripts run through
RestrictedPython instead of plain ``eval``/``exec``: no imports, no dunder access, a
small set of builtins, guarded attribute, item and iteration access, and a time limit
that works in any thread.  Compiled code is cached by (mode, text).

- ``policy``: what code compiles (the compile-time rules and the compile cache);
- ``guards``: run-time checks of operations that could build huge values in one C call;
- ``runner``: namespaces, builtins and the time limit of one run in this process;
- ``environment``: the SpiffWorkflow script environment and engine built on them.
"""

from __future__ import annotations

from workflows.scripting.environment import RestrictedEnvironment, make_script_engine
from workflows.scripting.errors import RestrictedCodeError, ScriptLimitError, ScriptTimeoutError
from workflows.scripting.guards import MAX_INT_BITS, MAX_RANGE_LENGTH, MAX_SEQUENCE_LENGTH
from workflows.scripting.policy import check_expression, check_script

__all__ = [
    "MAX_INT_BITS",
    "MAX_RANGE_LENGTH",
    "MAX_SEQUENCE_LENGTH",
    "RestrictedCodeError",
    "RestrictedEnvironment",
    "ScriptLimitError",
    "ScriptTimeoutError",
    "check_expression",
    "check_script",
    "make_script_engine",
]
