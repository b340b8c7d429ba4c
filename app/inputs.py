"""What comes from outside — ids in paths, query numbers, JSON bodies, text — checked before it reaches a statement.

A number past the range of an Integer column matches no row, but it never gets as far as a
"no such row": PostgreSQL refuses the statement ("integer out of range") and SQLite refuses a
parameter past 64 bits, both as 500s. So every route's `<int:...>` is this module's converter,
which matches only the numbers a column can hold (anything else is an unknown page, 404), and a
query number is read with `query_int` (422 naming the range). The API's schemas bound their
integer fields likewise (tests/test_hostile_input.py checks every one).

JSON is read by workflows.strict_json everywhere (`request.get_json` here, the API's arguments in
app.api.blueprint): no NaN or Infinity, bounded nesting, no NUL character. Text in query strings,
form fields and paths may not hold a NUL either: PostgreSQL's text refuses it.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map

from workflows import strict_json
from workflows.db import INT_MAX
from workflows.errors import DomainError, InvalidDataError
from workflows.messages import message

ID_DIGITS = len(str(INT_MAX))


def _at_most(limit: int) -> str:
    """A regular expression of the decimal numbers from 0 to the limit (ASCII digits only).

    The route itself must not match a larger number: a converter that refused it after matching
    would leave werkzeug answering 405 for a POST where a GET shares the path.
    """
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        low = 1 if i == 0 and len(text) > 1 else 0
        if int(digit) > low:
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join([*options, text])


class IdConverter(IntegerConverter):
    """`<int:...>`: ASCII digits (no sign, no other script's digits) up to the largest Integer a column holds."""

    regex = _at_most(INT_MAX)

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's names)
                 max: int | None = INT_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with workflows.strict_json: `request.get_json` answers 400 with the reason.

    Answers keep their characters (UTF-8): `"张三"`, not `"\\u5f20\\u4e09"`.
    """

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """The value of the JSON text; strict_json.JsonInputError (a ValueError) when refused."""
        return strict_json.loads(s)


def init_app(app: Flask) -> None:
    """The bounded `<int:...>` (before any blueprint adds its routes), strict JSON, no NUL in text."""
    app.url_map.converters["int"] = IdConverter
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    """400 when a query argument, a form field or a path value holds a NUL character."""
    form = request.form.items(multi=True) if request.method in ("POST", "PUT", "PATCH") else ()
    texts = chain(request.args.items(multi=True), form, (request.view_args or {}).items())
    for key, value in texts:
        if not isinstance(key, str):  # a multipart part whose name="…\" never closes has no name
            raise DomainError("field_without_name")
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise DomainError("text_has_nul")


def query_int(name: str, minimum: int = 0) -> int | None:
    """An optional whole-number query argument (None when absent or empty); 422 unless a column can hold it."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    number: Any = int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None
    if number is None or not minimum <= number <= INT_MAX:
        refusal = message("number_out_of_range", name=name, low=minimum, high=INT_MAX)
        raise InvalidDataError(refusal.code, {name: [refusal]}, **refusal.params)
    return number
