"""Numbers from outside — ids in paths, numbers in query strings — checked against what the database holds.

A number past the range of an Integer column matches no row, but it never gets as far as a
"no such row": PostgreSQL refuses the statement ("integer out of range") and SQLite refuses a
parameter past 64 bits, both as 500s. So every route's `<int:...>` is this module's converter,
which matches only the numbers a column can hold (anything else is an unknown page, 404), and a
query number is read with `query_int` (422 naming the range). The API's schemas bound their
integer fields likewise (tests/test_hostile_input.py checks every one).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

from workflows.db import INT_MAX
from workflows.errors import InvalidDataError

ID_DIGITS = len(str(INT_MAX))


class IdConverter(IntegerConverter):
    """`<int:...>`: ASCII digits (no sign, no other script's digits) up to the largest Integer a column holds."""

    regex = rf"[0-9]{{1,{ID_DIGITS}}}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's names)
                 max: int | None = INT_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    """Make `<int:...>` the bounded converter; before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter


def query_int(name: str, minimum: int = 0) -> int | None:
    """An optional whole-number query argument (None when absent or empty); 422 unless a column can hold it."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    number: Any = int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None
    if number is None or not minimum <= number <= INT_MAX:
        message = f"{name} must be a whole number from {minimum} to {INT_MAX}"
        raise InvalidDataError(message, {name: [message]})
    return number
