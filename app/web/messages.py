"""Messages (workflows.messages: a code and its parameters) in the reader's language, when a page shows them.

`gettext(template) % params`, with the parameters a person reads by kind formatted for them: a
role by its label, a status as a word, an agency type by its name, a period in words, a time in
local time, a list as the language lists, a message inside a message in the same language. Text a
library wrote (`detail`) and values from the diagram or the case stay as they are. A stored text
(a case stopped, or a notice sent, before messages were data) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import format_datetime, gettext

from app.web.wording import listed, period_forms, period_shown, role_label, status_word, type_label, units_shown
from workflows.messages import CATALOG, Message
from workflows.models import Notice

_TIME = "yyyy-MM-dd HH:mm"


def _local_time(text: str) -> str:
    """An ISO instant in local time (as it is if it does not parse)."""
    try:
        return format_datetime(datetime.fromisoformat(text), _TIME)
    except (TypeError, ValueError):
        return text


def _types(codes: Any) -> str:
    """Agency types by name."""
    return listed([type_label(str(code)) for code in codes]) if isinstance(codes, list) else type_label(str(codes))


# Parameters a person reads by kind, by name; the others are shown as they are.
_KINDS: dict[str, Callable[[Any], str]] = {
    "role": lambda value: role_label(str(value)),
    "status": lambda value: status_word(str(value)),
    "agency_type": _types, "actual_type": _types, "types": _types,
    "period": lambda value: period_shown(str(value)), "longest": lambda value: period_shown(str(value)),
    "after": lambda value: _local_time(str(value)), "latest": lambda value: _local_time(str(value)),
    "forms": lambda value: period_forms(),
    "units": lambda value: units_shown(value if isinstance(value, list) else [value]),
}


def _param(name: str, value: Any) -> Any:
    """One parameter as the reader sees it."""
    if isinstance(value, dict) and value.get("code") in CATALOG:
        return render(value["code"], value.get("params") or {}, sentence=False)
    if name in _KINDS:
        return _KINDS[name](value)
    if isinstance(value, list):
        return listed([str(_param("", item)) for item in value])
    return value


def render(code: str, params: dict[str, Any], *, sentence: bool = True) -> str:
    """A message in the page language; an unknown code (a row from a newer version) as its code.

    The catalog's English is written as the API answers it (`work item 5 is completed`); a page
    shows it as a sentence (`Work item 5 is completed.`). A translation is written as a sentence.
    """
    template = CATALOG.get(code)
    if template is None:
        return code
    translated = gettext(template)
    if sentence and translated == template:
        translated = _as_sentence(template)
    if "%(" not in translated:
        return translated
    values = _Values({name: _param(name, value) for name, value in params.items()})
    if params.get("field_title"):  # a field as its form names it (workflows.work.steps.mark_error)
        values["field"] = params["field_title"]
    return translated % values


class _Values(dict):
    """A message's values; one a stored row lacks (written by another version) shows as an ellipsis, not a failure."""

    def __missing__(self, key: str) -> str:
        return "…"


def _as_sentence(template: str) -> str:
    """An English template with a capital letter first and a full stop last (none after a text that ends itself)."""
    if template[:1].islower():
        template = template[:1].upper() + template[1:]
    if template.endswith(("%(detail)s", "%(reason)s")) or not (template[-1:].isalnum() or template.endswith("'")):
        return template  # a library's or an inner message's text ends it as it ends
    return template + "."


def shown(found: Message | dict[str, Any] | str | None) -> str:
    """A message, a stored {code, params}, or a stored text (as it is); "" for none."""
    if found is None:
        return ""
    if isinstance(found, Message):
        return render(found.code, found.params)
    if isinstance(found, dict) and "code" in found:
        return render(str(found["code"]), found.get("params") or {})
    return str(found)


def details_shown(details: Any) -> dict[str, list[str]]:
    """A refusal's field errors ({field: [message]}) in the page language; {} when it named no field."""
    if not isinstance(details, dict):
        return {}
    return {str(field): [shown(m) for m in (found if isinstance(found, list) else [found])]
            for field, found in details.items()}


def problems_shown(problems: Any) -> list[dict[str, Any]]:
    """A diagram's problems with each message in the page language and `where`: the element's name, else its id."""
    if not isinstance(problems, list):
        return []
    return [{**found, "message": shown(found) if "code" in found else found.get("message", ""),
             "where": found.get("name") or found.get("element")} for found in problems if isinstance(found, dict)]


def notice_title(notice: Notice) -> str:
    """A notice's title in the page language; a diagram's own text, or an older row's, as stored."""
    return shown(notice.title_message) if notice.title_message else notice.title


def form_errors_shown(details: Any) -> dict[str, list[str]]:
    """A form's errors by field path in the page language, `_schema` for the whole form."""
    if not isinstance(details, dict):
        return {"_schema": [shown(details)]} if details else {}
    return details_shown(details)
