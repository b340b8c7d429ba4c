"""JSON from outside (request bodies, uploaded form files): the standard's JSON only, within bounds.

Python's json module also reads `NaN`, `Infinity` and `-Infinity`, which are not JSON, and reads
`1e400` as infinity. No column stores those (PostgreSQL's JSON types refuse them, as they refuse
the NUL character in text), so they would be stored on SQLite and fail on PostgreSQL. It also
follows nesting as deep as Python's recursion limit, and every later step (validation, storage)
recurses again. So JSON that comes from outside is read here, and refused with a clear reason.
"""

from __future__ import annotations

import json
import math
from typing import Any

from workflows.messages import message

MAX_DEPTH = 64  # lists and objects inside each other; task data allows 32 (workflows.scripting.storable)


class JsonInputError(ValueError):
    """The text is not JSON we accept: a message (code and values) saying why and where; str() is its English."""

    def __init__(self, code: str, **params: Any) -> None:
        self.message = message(code, **params)
        super().__init__(self.message.english)


def _constant(name: str) -> Any:
    raise JsonInputError("json_constant", name=name)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JsonInputError("json_number_too_large", text=text[:40])
    return number


def _problem(value: Any) -> JsonInputError | None:
    """Why a parsed value is refused (too deep, NUL in text), or None."""
    stack = [(value, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return JsonInputError("json_nul")
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return JsonInputError("json_too_deep", limit=MAX_DEPTH)
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack += [(child, depth + 1) for child in children]
    return None


def loads(text: str | bytes) -> Any:
    """The value of a JSON text; JsonInputError for anything the standard or our bounds refuse.

    Bytes must be UTF-8 (RFC 8259, section 8.1); a UTF-8 byte order mark is skipped.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise JsonInputError("json_not_utf8", byte=f"{err.object[err.start]:#04x}", at=err.start) from err
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_finite)
    except RecursionError as err:
        raise JsonInputError("json_too_deep", limit=MAX_DEPTH) from err
    except JsonInputError:
        raise
    except ValueError as err:  # json.JSONDecodeError, and int() of more digits than Python converts
        raise JsonInputError("json_invalid", detail=str(err)) from err  # the json module's own words
    problem = _problem(value)
    if problem:
        raise problem
    return value
