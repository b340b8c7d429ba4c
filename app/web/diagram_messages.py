"""The deployment validator's messages (English, shared with the API) in the page language.

workflows/deployment/deploy.py reports each problem of an uploaded diagram as {element, message}; the
upload page and the modeler show the same messages translated, as app/web/domain_messages.py
does for the other services. Values inside a message (ids, names, file names, limits) are
carried over; text written by a library (the XML parser, jsonschema, RestrictedPython, the
engine) keeps its words behind a translated prefix. A message without a rule is shown as it
is — tests/test_web_diagram_messages.py names the ones the validator can produce.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from app.web.message_rules import Rule, rule, translate
from app.web.presenters import period_forms, period_text
from workflows.deadlines.periods import PeriodError, parse_period


def _period_shown(text: str) -> str:
    """A period the calendar wrote, in the page language (as it is if it does not parse)."""
    try:
        return period_text(parse_period(text))
    except PeriodError:
        return text


_ANYTHING = r"(?s:(.*))"  # library text: any characters, line breaks included
_FORMS = r"; use .*"  # the parser's own list of units (workflows.deadlines.calendar.PERIOD_FORMS), shown translated

# A deadline text that does not parse (workflows.deadlines.calendar), alone or behind a property name.
_PERIOD_RULES: list[Rule] = [
    rule(r"unrecognised deadline (.*?)" + _FORMS,
         lambda m: _("Unrecognised deadline %(text)s; use %(forms)s.", text=m.group(1), forms=period_forms())),
    rule(r"deadline (.*?) must be at least 1" + _FORMS,
         lambda m: _("Deadline %(text)s must be at least 1; use %(forms)s.", text=m.group(1),
                     forms=period_forms())),
    rule(r"unknown period unit (.*); expected one of (.*)",
         lambda m: _("Unknown period unit %(unit)s; expected one of %(units)s.", unit=m.group(1),
                     units=m.group(2))),
    rule(r"period amount must be a positive whole number, got (.*)",
         lambda m: _("The period must be a positive whole number, not %(value)s.", value=m.group(1))),
    rule(r"period '(.*)' exceeds the maximum of (\d+ .+) \((\d+) years\)",
         lambda m: _("The period %(period)s exceeds the maximum of %(limit)s (%(years)s years).",
                     period=_period_shown(m.group(1)), limit=_period_shown(m.group(2)), years=m.group(3))),
]

# Why a condition or script does not compile (workflows.scripting), after "Line N: ".
_CODE_RULES: list[Rule] = [
    rule(r"imports are not allowed", lambda m: _("imports are not allowed")),
    rule(r"class definitions are not allowed", lambda m: _("class definitions are not allowed")),
    rule(r"try statements are not allowed", lambda m: _("try statements are not allowed")),
    rule(r"with statements are not allowed", lambda m: _("with statements are not allowed")),
    rule(r"(\w+) is not available; assign the value to a variable instead",
         lambda m: _("%(name)s is not available; assign the value to a variable instead", name=m.group(1))),
    rule(r"(\w+)\(\) is not allowed", lambda m: _("%(name)s() is not allowed", name=m.group(1))),
    rule(r"format widths must be literal and below 100000",
         lambda m: _("format widths must be literal and below 100000")),
    rule(r"the code is nested too deeply", lambda m: _("the code is nested too deeply")),
    rule(r"expected text, got (\w+)", lambda m: _("expected text, got %(type)s", type=m.group(1))),
    rule(r"Line (\w+): " + _ANYTHING,
         lambda m: _("line %(line)s: %(problem)s", line=m.group(1), problem=translate(_CODE_RULES, m.group(2)))),
]

_DEPLOY = 'set isExecutable="true" on the process to deploy'
_NO_PROCESS = "so there is no executable process"

_RULES: list[Rule] = [
    rule(r"the diagram cannot be read", lambda m: _("The diagram cannot be read.")),
    rule(r"the diagram has no executable process", lambda m: _("The diagram has no executable process.")),
    rule(r"the diagram cannot be deployed", lambda m: _("The diagram cannot be deployed.")),
    rule(r"the document is (\d+) bytes; the limit is (\d+)",
         lambda m: _("The document is %(size)s bytes; the limit is %(limit)s bytes.", size=m.group(1),
                     limit=m.group(2))),
    rule(r"DTDs and entities are not allowed: " + _ANYTHING,
         lambda m: _("DTDs and entities are not allowed: %(reason)s", reason=m.group(1))),
    rule(r"the declared encoding '(.*)' is not one we can read; save the diagram as UTF-8",
         lambda m: _("The declared encoding '%(name)s' is not one we can read; save the diagram as UTF-8.",
                     name=m.group(1))),
    rule(r"the document is not valid (\S+): byte (\S+) at (\d+); save the diagram as UTF-8",
         lambda m: _("The document is not valid %(encoding)s: byte %(byte)s at position %(at)s; save the diagram "
                     "as UTF-8.", encoding=m.group(1), byte=m.group(2), at=m.group(3))),
    rule(r"elements are nested too deeply: more than (\d+) levels",
         lambda m: _("Elements are nested too deeply: more than %(limit)s levels.", limit=m.group(1))),
    rule(r"the namespace URI '(.*)' \((\S+)\) is not a valid URI: a namespace URI may not contain spaces or "
         r"other characters a URI may not hold",
         lambda m: _("The namespace URI '%(uri)s' (%(prefix)s) is not a valid URI: a namespace URI may not contain "
                     "spaces or other characters a URI may not hold.", uri=m.group(1), prefix=m.group(2))),
    rule(r"not well-formed XML: " + _ANYTHING, lambda m: _("Not well-formed XML: %(reason)s", reason=m.group(1))),
    rule(r"the id '(.*)' is reserved by the engine; rename the element",
         lambda m: _("The id '%(id)s' is reserved by the engine; rename the element.", id=m.group(1))),
    rule(r"pool (.+?) shows process (.+?), which has (.+); " + _DEPLOY,
         lambda m: _("Pool %(pool)s shows process %(process)s, which %(has)s; set isExecutable=\"true\" on the "
                     "process to deploy it.", pool=m.group(1), process=m.group(2), has=_has(m.group(3)))),
    rule(r"process (.+?) has (.+); " + _DEPLOY,
         lambda m: _("Process %(process)s %(has)s; set isExecutable=\"true\" on the process to deploy it.",
                     process=m.group(1), has=_has(m.group(2)))),
    rule(r"pool (.+) has no process in this document, " + _NO_PROCESS,
         lambda m: _("Pool %(pool)s has no process in this document, so there is no executable process.",
                     pool=m.group(1))),
    rule(r"collaboration (.+) has no pools and no process, " + _NO_PROCESS,
         lambda m: _("Collaboration %(name)s has no pools and no process, so there is no executable process.",
                     name=m.group(1))),
    rule(r"the document contains no process, " + _NO_PROCESS,
         lambda m: _("The document contains no process, so there is no executable process.")),
    rule(r"the process id must be letters, digits, '_', '-' or '\.'",
         lambda m: _("The process id must be letters, digits, '_', '-' or '.'.")),
    rule(r"(\d+) form files; at most (\d+) are allowed",
         lambda m: _("%(count)s form files; at most %(limit)s are allowed.", count=m.group(1), limit=m.group(2))),
    rule(r"form file larger than (\d+) bytes",
         lambda m: _("The form file is larger than %(limit)s bytes.", limit=m.group(1))),
    rule(r"not a valid JSON Schema: " + _ANYTHING,
         lambda m: _("Not a valid JSON Schema: %(reason)s", reason=m.group(1))),
    rule(r"a form schema must be a JSON object", lambda m: _("A form schema must be a JSON object.")),
    rule(r"an outcome is declared on end events only", lambda m: _("An outcome is declared on end events only.")),
    rule(r"a kpi counts on-time completions: the task needs a deadline",
         lambda m: _("A kpi counts completions on time: the task needs a deadline.")),
    rule(r"(\w+) '(.*)' must be lower-case letters, digits and '_', starting with a letter, at most 50",
         lambda m: _("%(property)s '%(code)s' must be lower-case letters, digits and '_', starting with a letter, "
                     "at most 50 characters.", property=m.group(1), code=m.group(2))),
    rule(r"lane '(.*)' has no agencyType property and its name is not an agency type code",
         lambda m: _("Lane '%(lane)s' has no agencyType property and its name is not an agency type code.",
                     lane=m.group(1))),
    rule(r"lane '(.*)': unknown agency type '(.*)'",
         lambda m: _("Lane '%(lane)s': unknown agency type '%(code)s'.", lane=m.group(1), code=m.group(2))),
    rule(r"(agencyFrom|deadlineFrom|deadlineDate|titleAgency) '(.*)' is not a data field name",
         lambda m: _("%(property)s '%(value)s' is not a data field name.", property=m.group(1), value=m.group(2))),
    rule(r"(\w+) names unknown lane '(.*)'",
         lambda m: _("%(property)s names an unknown lane '%(lane)s'.", property=m.group(1), lane=m.group(2))),
    rule(r"(\w+) entry '(.*)': the role after ':' is not a name",
         lambda m: _("%(property)s entry '%(entry)s': the role after ':' is not a name.", property=m.group(1),
                     entry=m.group(2))),
    rule(r"(\w+) '(.*)' must be in hours or days",
         lambda m: _("%(property)s '%(value)s' must be in hours or days.", property=m.group(1), value=m.group(2))),
    rule(r"deadlineDate names the day the task is due by; it cannot be combined with deadline or deadlineFrom",
         lambda m: _("deadlineDate names the day the task is due by; it cannot be combined with deadline or "
                     "deadlineFrom.")),
    rule(r"prefill: unknown function '(.*)'; offered: (.*)",
         lambda m: _("prefill: unknown function '%(name)s'; offered: %(offered)s.", name=m.group(1),
                     offered=m.group(2))),
    rule(r"prefill: (\w+)\(\) takes (\d+) argument\(s\)",
         lambda m: _("prefill: %(name)s() takes %(count)s argument(s).", name=m.group(1), count=m.group(2))),
    rule(r"prefill: '(.*)' is not 'field = function\(arguments\)'",
         lambda m: _("prefill: '%(text)s' is not 'field = function(arguments)'.", text=m.group(1))),
    rule(r"prefill: an argument must be a data field's name or a text in quotes",
         lambda m: _("prefill: an argument must be a data field's name or a text in quotes.")),
    rule(r"escalateTo, remindBefore and extension need a deadline",
         lambda m: _("escalateTo, remindBefore and extension need a deadline.")),
    rule(r"lateExtension '(.*)' is not true or false",
         lambda m: _("lateExtension '%(value)s' is not true or false.", value=m.group(1))),
    rule(r"lateExtension needs an extension period", lambda m: _("lateExtension needs an extension period.")),
    rule(r"extensionRole '(.*)' is not a role name",
         lambda m: _("extensionRole '%(value)s' is not a role name.", value=m.group(1))),
    rule(r"maxExtensions '(.*)' is not a small integer",
         lambda m: _("maxExtensions '%(value)s' is not a small integer.", value=m.group(1))),
    rule(r"a 'due_at' timer must be a boundary event on a user task with a deadline",
         lambda m: _("A 'due_at' timer must be a boundary event on a user task with a deadline.")),
    rule(r"user task '(.*)' is not in a lane",
         lambda m: _("User task '%(task)s' is not in a lane.", task=m.group(1))),
    rule(r"form '(.*)' was not uploaded with the diagram",
         lambda m: _("Form '%(form)s' was not uploaded with the diagram.", form=m.group(1))),
    rule(r"priority '(.*)' is not an integer", lambda m: _("Priority '%(value)s' is not an integer.",
                                                           value=m.group(1))),
    rule(r"form '(.*)' is not referenced by any task or start event; it is deployed but never shown or checked",
         lambda m: _("Form '%(form)s' is not referenced by any task or start event; it is deployed but never shown "
                     "or checked.", form=m.group(1))),
    rule(r"start form '(.*)' was not uploaded with the diagram",
         lambda m: _("Start form '%(form)s' was not uploaded with the diagram.", form=m.group(1))),
    rule(r"start form '(.*)' must describe an object \(the start data\)",
         lambda m: _("Start form '%(form)s' must describe an object (the start data).", form=m.group(1))),
    rule(r"the start events declare different forms; a process has one start form",
         lambda m: _("The start events declare different forms; a process has one start form.")),
    rule(r"(\w+) not allowed: " + _ANYTHING,
         lambda m: _("%(kind)s not allowed: %(problem)s", kind=_kind(m.group(1)),
                     problem=translate(_CODE_RULES, m.group(2)))),
    rule(r"the engine cannot parse the diagram: " + _ANYTHING,
         lambda m: _("The engine cannot parse the diagram: %(reason)s", reason=m.group(1))),
    *_PERIOD_RULES,
    rule(r"(\w+): " + _ANYTHING,  # a period property that does not parse
         lambda m: _("%(property)s: %(problem)s", property=m.group(1),
                     problem=translate(_PERIOD_RULES, m.group(2)))),
]


def _has(text: str) -> str:
    """What a process says about isExecutable."""
    if text == "no isExecutable attribute":
        return _("has no isExecutable attribute")
    found = re.fullmatch(r'isExecutable="(.*)"', text)
    return _("has isExecutable=\"%(value)s\"", value=found.group(1)) if found else text


def _kind(word: str) -> str:
    """A script or an expression."""
    return {"script": _("Script"), "expression": _("Expression")}.get(word, word)


def localize(message: str) -> str:
    """A validator message in the page language (unknown ones as they are)."""
    return translate(_RULES, message)


def localize_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validator's {element, message} list with each message in the page language."""
    return [{**error, "message": localize(error["message"])} for error in errors]
