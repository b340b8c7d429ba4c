"""`prefill` on a user task: values the system computes into a ready task's data (docs/diagrams.md §4.1).

A diagram writes one assignment per line, `figures = statistics(period)`: a data field, a function the
product offers, and its arguments, each a data field's name or a literal text. Nothing of it runs as
code: the declaration is read here into a `Prefill`, and the step computes each value in the server
process (the functions read the database, which the script process cannot) for the agency of the task's
work item, before the item is written. The functions are registered by name in
workflows.work.prefills; deployment refuses a name that is not offered.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from workflows.messages import CodedError

# The functions offered to diagrams, with the number of arguments each takes; workflows.work.prefills
# holds their implementations under the same names.
PREFILL_FUNCTIONS = {"statistics": 1, "concat": 2}


class PrefillSyntaxError(CodedError, ValueError):
    """A `prefill` property that is not `field = function(argument, ...)` lines."""


@dataclass(frozen=True)
class Prefill:
    """`target = function(arguments)`; each argument is ("field", name) or ("text", value)."""

    target: str
    function: str
    arguments: tuple[tuple[str, str], ...]


def _argument(node: ast.expr) -> tuple[str, str]:
    if isinstance(node, ast.Name):
        return "field", node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "text", node.value
    raise PrefillSyntaxError("prefill_argument")


def _statement(node: ast.stmt) -> Prefill:
    text = ast.unparse(node)
    if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) \
            or not isinstance(call := node.value, ast.Call) or not isinstance(call.func, ast.Name) or call.keywords:
        raise PrefillSyntaxError("prefill_syntax", text=text)
    return Prefill(node.targets[0].id, call.func.id, tuple(_argument(arg) for arg in call.args))


def parse_prefill(text: str) -> list[Prefill]:
    """The assignments of a `prefill` property, one per line (or separated by ';')."""
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as err:
        raise PrefillSyntaxError("prefill_syntax", text=text.strip()) from err
    return [_statement(node) for node in tree.body]
