"""The form validator's messages (jsonschema's English) in the page language, keyed by field."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

_RULES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"is a required property$"), lambda m: _("This field is required.")),
    # workflows.deployment.form_messages: a checkbox to tick and a required option, named.
    (re.compile(r"^must be confirmed: (.*)$"), lambda m: _("Please confirm “%(field)s”.", field=m.group(1))),
    (re.compile(r"^must include the option: (.*)$"),
     lambda m: _("Select “%(option)s”: it is required.", option=m.group(1))),
    # workflows.deployment.conditions: a field of a branch the form's choices did not take.
    (re.compile(r"^does not apply to the choices made in this form$"),
     lambda m: _("This field does not apply to the choices made above.")),
    (re.compile(r"should be non-empty$|is too short$"), lambda m: _("Too short: enter more.")),
    (re.compile(r"is too long$|is expected to be empty$"), lambda m: _("Too long.")),
    (re.compile(r"is not of type 'integer'$"), lambda m: _("Enter a whole number.")),
    (re.compile(r"is not of type 'number'$"), lambda m: _("Enter a number.")),
    (re.compile(r"is not of type 'string'$"), lambda m: _("Enter text.")),
    (re.compile(r"is not of type 'boolean'$"), lambda m: _("Choose yes or no.")),
    (re.compile(r"is not of type '(array|object|null)'$"), lambda m: _("This entry is not in the form's shape.")),
    (re.compile(r"is not a '(date|date-time)'$"), lambda m: _("Enter a valid date.")),
    (re.compile(r"is not a 'time'$"), lambda m: _("Enter a valid time.")),
    (re.compile(r"is not a '(email|idn-email)'$"), lambda m: _("Enter a valid e-mail address.")),
    (re.compile(r"is not a '(.+)'$"), lambda m: _("Not a valid %(format)s.", format=m.group(1))),
    (re.compile(r"does not match '.*'$"), lambda m: _("Not in the required format.")),
    (re.compile(r"^(.+) was expected$"), lambda m: _("Must be %(value)s.", value=m.group(1))),
    (re.compile(r"is less than the minimum of (\S+)$"), lambda m: _("Must be at least %(n)s.", n=m.group(1))),
    (re.compile(r"is greater than the maximum of (\S+)$"), lambda m: _("Must be at most %(n)s.", n=m.group(1))),
    (re.compile(r"is less than or equal to the minimum of (\S+)$"),
     lambda m: _("Must be more than %(n)s.", n=m.group(1))),
    (re.compile(r"is greater than or equal to the maximum of (\S+)$"),
     lambda m: _("Must be less than %(n)s.", n=m.group(1))),
    (re.compile(r"is not a multiple of (\S+)$"), lambda m: _("Must be a multiple of %(n)s.", n=m.group(1))),
    (re.compile(r"^Additional properties are not allowed \((.*) (?:was|were) unexpected\)$"),
     lambda m: _("Not fields of this form: %(fields)s", fields=m.group(1).replace("'", ""))),
    (re.compile(r"^'(.+)' is a dependency of '(.+)'$"),
     lambda m: _("With %(given)s, fill in %(needed)s too.", given=m.group(2), needed=m.group(1))),
    (re.compile(r"is not valid under any of the given schemas$|is not one of "),
     lambda m: _("Choose one of the options.")),
    (re.compile(r"has non-unique elements$"), lambda m: _("Entries must not repeat.")),
    (re.compile(r"does not contain "), lambda m: _("A required entry is missing.")),
    (re.compile(r"should not be valid under \{'required': \[(.*)\]\}$"),
     lambda m: _("Leave these fields empty for this choice: %(fields)s", fields=m.group(1).replace("'", ""))),
    (re.compile(r"should not be valid under "), lambda m: _("This value is not allowed here.")),
    # The attachment rules' own messages (workflows.work.attachments).
    (re.compile(r"^not a file uploaded in this case$"), lambda m: _("This file was not uploaded in this case.")),
    (re.compile(r"^not a file you uploaded for this form$"),
     lambda m: _("This file was not uploaded by you for this form.")),
    (re.compile(r"^larger than (\d+) bytes$"),
     lambda m: _("The file is larger than %(mb)s MB.", mb=round(int(m.group(1)) / 1024 / 1024, 1))),
]


def translate(message: str) -> str:
    """One validator message in words a user understands (unknown ones as they are)."""
    for pattern, make in _RULES:
        found = pattern.search(message)
        if found:
            return make(found)
    return message


def field_errors(details: Any) -> dict[str, list[str]]:
    """The service's error details ({path: [messages]}) translated, with `_schema` for the whole form."""
    if not isinstance(details, dict):
        return {"_schema": [str(details)]} if details else {}
    return {str(path): [translate(str(m)) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for path, msgs in details.items()}
