"""What task data may hold, so that every instance state can be stored and read back (docs/diagrams.md §7).

Task data is stored as JSON in the instance state and shown as the case data: text, finite
numbers, true/false, null, lists and objects with text keys, plus dates, date-times and decimals
(the state serializer's own converters). Nesting and size are bounded, so a state never grows
past what a step can restore and store quickly, nor nests deeper than a JSON encoder follows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from workflows.messages import Message, message
from workflows.scripting.errors import UnstorableDataError

MAX_DEPTH = 32  # lists and objects inside each other
# Over all of a task's data. The engine copies the data for every task it starts (text is shared,
# lists and objects are not): values bound each copy, workflows.engine.fanout their number.
MAX_VALUES = 20_000  # scalars, lists and objects
MAX_TEXT = 1_000_000  # characters of text
MAX_INT = 2**63 - 1  # what a 64-bit column, JavaScript's and PostgreSQL's JSON readers agree on

_SCALARS = (str, bool, type(None), date, Decimal)  # datetime is a date


def _items(value: Any) -> Iterator[tuple[str, Any]]:
    """The (path step, child) pairs of a list or object."""
    if isinstance(value, dict):
        return ((f"[{key!r}]", child) for key, child in value.items())
    return ((f"[{index}]", child) for index, child in enumerate(value))


def _scalar_problem(path: str, value: Any) -> Message | None:
    """Why a scalar cannot be stored, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -MAX_INT <= value <= MAX_INT else message("data_number_too_big", path=path)
    if isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        return None if finite else message("data_not_finite", path=path, value=str(value))
    if isinstance(value, _SCALARS):
        return None
    return message("data_type", path=path, kind=type(value).__name__)


def _problem(name: str, value: Any, budget: list[int]) -> Message | None:
    """Why one field cannot be stored, naming where in it; counts its values and text against the budget."""
    stack = [(value, name, 0)]
    while stack:
        value, path, depth = stack.pop()
        budget[0] -= 1
        if isinstance(value, str):
            budget[1] -= len(value)
        if budget[0] < 0:
            return message("data_too_many_values", path=name, limit=f"{MAX_VALUES:,}")
        if budget[1] < 0:
            return message("data_too_much_text", path=name, limit=f"{MAX_TEXT:,}")
        if not isinstance(value, list | tuple | dict):
            problem = _scalar_problem(path, value)
            if problem:
                return problem
            continue
        if depth >= MAX_DEPTH:
            return message("data_too_deep", path=path, limit=MAX_DEPTH)
        if isinstance(value, dict) and not all(isinstance(key, str) for key in value):
            key = next(key for key in value if not isinstance(key, str))
            return message("data_key_not_text", path=path, key=repr(key))
        stack += [(child, path + step, depth + 1) for step, child in _items(value)]
    return None


def data_problem(data: Mapping[str, Any]) -> tuple[str, Message] | None:
    """(field, why) for the first field of the data that cannot be stored, or None."""
    budget = [MAX_VALUES, MAX_TEXT]
    for name, value in data.items():
        problem = _problem(name, value, budget)
        if problem:
            return name, problem
    return None


def check_variables(variables: Mapping[str, Any]) -> None:
    """Refuse the variables a script leaves unless every one of them can be stored."""
    found = data_problem(variables)
    if found:
        raise UnstorableDataError(f"variable {found[1]}")
