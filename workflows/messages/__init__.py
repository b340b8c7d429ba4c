"""Messages as data: a code and its parameters, rendered in the reader's language when shown.

The domain never writes a sentence for a person. It names what happened with a code from the
catalog (workflows/messages/catalog_*.py) and the values that go into it; the English rendering
(`Message.english`) is what the API's `message`, the logs and the CLI show, and the pages render
the same code through their translation catalog (app/web/messages.py). Text written by a library
(the XML parser, jsonschema, RestrictedPython, a Python exception) travels as the `detail`
parameter and is shown as it is.

To add a message: add `"code": N_("English template with %(named)s placeholders")` to the catalog
module of its area, raise or store `message("code", named=...)`, run scripts/update-translations.sh
and fill the Chinese msgstr. tests/test_messages.py renders every code in both languages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from workflows.messages.catalog_deployment import DEPLOYMENT
from workflows.messages.catalog_engine import ENGINE
from workflows.messages.catalog_forms import FORMS
from workflows.messages.catalog_notices import NOTICES
from workflows.messages.catalog_requests import REQUESTS


def _merged(*parts: dict[str, str]) -> dict[str, str]:
    """One catalog from the areas' parts; a code defined twice is a mistake caught at import."""
    merged: dict[str, str] = {}
    for part in parts:
        twice = merged.keys() & part.keys()
        if twice:
            raise ValueError(f"message codes defined twice: {sorted(twice)}")
        merged.update(part)
    return merged


# code -> English template with named %(placeholders)s; every code of every area.
CATALOG: dict[str, str] = _merged(REQUESTS, ENGINE, DEPLOYMENT, FORMS, NOTICES)
# The notice titles among them (`notice_<kind>`, a variant after it): a title is built when it is shown.
NOTICE_TITLES: dict[str, str] = NOTICES


class UnknownMessageError(KeyError):
    """A code the catalog does not define (a programming mistake, not a user's)."""


def _plain(value: Any) -> Any:
    """A parameter as JSON can hold it: numbers, text, lists of those; anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Message):  # a reason inside a reason, rendered in the same language
        return {"code": value.code, "params": value.params}
    if isinstance(value, dict) and value.get("code") in CATALOG:  # the same, read back from JSON
        return {"code": value["code"], "params": _plain(value.get("params") or {})}
    if isinstance(value, dict) and "code" not in value and all(isinstance(key, str) for key in value):
        return {key: _plain(item) for key, item in value.items()}  # the values of an inner message
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_plain(item) for item in items]
    return str(value)


def fill(template: str, params: dict[str, Any]) -> str:
    """A template with its placeholders filled in English (lists joined with ", ", inner messages rendered)."""
    return template % {key: _english(value) for key, value in params.items()} if "%(" in template else template


def _english(value: Any) -> Any:
    """One parameter as the English rendering shows it."""
    if isinstance(value, list):
        return ", ".join(str(_english(item)) for item in value)
    if isinstance(value, dict) and value.get("code") in CATALOG:
        return fill(CATALOG[value["code"]], value.get("params") or {})
    return value


@dataclass(frozen=True)
class Message:
    """One message: a catalog code and the values its template names."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def english(self) -> str:
        """The message in English (the API's and the logs' language)."""
        return fill(CATALOG[self.code], self.params)

    def as_dict(self) -> dict[str, Any]:
        """{"code", "params", "message"} as the API and stored rows carry it."""
        return {"code": self.code, "params": self.params, "message": self.english}

    def __str__(self) -> str:
        return self.english

    def __hash__(self) -> int:
        return hash((self.code, json.dumps(self.params, sort_keys=True, default=str)))


def message(code: str, /, **params: Any) -> Message:
    """The message with the given code and values; an unknown code is refused."""
    if code not in CATALOG:
        raise UnknownMessageError(code)
    return Message(code, {key: _plain(value) for key, value in params.items()})


class CodedError(Exception):
    """An exception that carries a message: `.code`, `.params`, `.message` (English), `str()` too."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.msg = message(code, **params)
        super().__init__(self.msg.english)

    @property
    def code(self) -> str:
        """The message's code."""
        return self.msg.code

    @property
    def params(self) -> dict[str, Any]:
        """The message's values."""
        return self.msg.params

    @property
    def message(self) -> str:
        """The message in English."""
        return self.msg.english


def as_message(err: BaseException) -> Message:
    """The message an exception carries; any other exception as its text behind a sentence."""
    if isinstance(err, CodedError):
        return err.msg
    return message("failure", kind=type(err).__name__, detail=str(err))


def problem(element: str | None, code: str, /, **params: Any) -> dict[str, Any]:
    """One problem of an uploaded diagram: its element (id; `name` filled in later), code, params, English."""
    found = message(code, **params)
    return {"element": element, "name": None, "code": found.code, "params": found.params, "message": found.english}


def coded_problem(element: str | None, err: CodedError) -> dict[str, Any]:
    """A problem carrying an exception's message."""
    return problem(element, err.code, **err.params)


def in_english(found: Any) -> Any:
    """Field errors or problems with each message as its English text ({field: [text]}), for the API and the CLI."""
    if isinstance(found, dict):
        return {key: in_english(value) for key, value in found.items()}
    if isinstance(found, list):
        return [in_english(value) for value in found]
    return found.english if isinstance(found, Message) else found
