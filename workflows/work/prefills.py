"""The functions a diagram's `prefill` calls (docs/diagrams.md §4.1), computed in the server process.

A ready user task whose diagram declares `figures = statistics(period)` gets, before its work item is
written, the value of the function for the item's agency with the arguments read from the task's data.
The names offered are listed for deployment in workflows.engine.prefill; they are implemented here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from workflows.engine.prefill import PREFILL_FUNCTIONS, Prefill
from workflows.errors import DomainError
from workflows.messages import CodedError, Message
from workflows.models import Agency
from workflows.statistics.prefill import statistics_for

PrefillFunction = Callable[[Session, Agency, list[Any]], Any]

def _rows(value: Any) -> list[Any]:
    """A list field's rows (nothing when the field is empty or not a list)."""
    return list(value) if isinstance(value, list) else []


FUNCTIONS: dict[str, PrefillFunction] = {
    "statistics": lambda session, agency, args: statistics_for(session, agency, args[0]),
    # The rows of two list fields as one list, e.g. the parties of an agreement from the registered
    # applicants and respondents: a form field it fills is the form's starting value, still editable.
    "concat": lambda session, agency, args: _rows(args[0]) + _rows(args[1]),
}
assert set(FUNCTIONS) == set(PREFILL_FUNCTIONS), "offer and implement the same prefill functions"


class PrefillError(CodedError, RuntimeError):
    """A prefill could not be computed; the instance stops in error with this reason."""


def _described(err: DomainError) -> Message:
    """The first field error behind the refusal, else the refusal itself."""
    details = err.details if isinstance(err.details, dict) else {}
    first = [m for messages in details.values() for m in messages if isinstance(m, Message)]
    return first[0] if first else err.msg


def prefilled(session: Session, task: str, lines: Iterable[Prefill], data: dict[str, Any],
              agency: Agency) -> dict[str, Any]:
    """The values the task's `prefill` lines give for the agency, by target field."""
    values: dict[str, Any] = {}
    for line in lines:
        args = [data.get(value) if kind == "field" else value for kind, value in line.arguments]
        try:
            values[line.target] = FUNCTIONS[line.function](session, agency, args)
        except DomainError as err:
            raise PrefillError("prefill_failed", element=task, field=line.target, function=line.function,
                               reason=_described(err)) from err
    return values
