"""Why a case stopped in error (the engine's English, kept in the instance) in the page language.

The reason is written once, when the step fails, and read later by whoever must act on it: the
admin who resumes the case, a supervisor watching it. The lane and deadline reasons are the
common ones and read as sentences here, with agency types by their names. An engine failure
keeps its technical detail (a Python exception's text) as it is, after a translated lead-in
naming the element; a reason without a rule is shown as it is, so nothing is lost.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.web.message_rules import Rule, rule, translate
from workflows.models import AgencyType

_DETAIL = r"(?s:(.+))"  # an exception's text: any characters, line breaks included


def type_label(code: str) -> str:
    """An agency type by its display name, or its code when no such type exists (any more)."""
    name = db.session.scalar(select(AgencyType.name).where(AgencyType.code == code))
    return f"{name} ({code})" if name else code


_RULES: list[Rule] = [
    rule(r"lane (.+?): field '(.+)' names unknown or inactive agency '(.+)'",
         lambda m: _("Lane %(lane)s: the field '%(field)s' names the agency '%(code)s', which does not exist "
                     "or is inactive.", lane=m.group(1), field=m.group(2), code=m.group(3))),
    rule(r"lane (.+?): agency '(.+)' is a (.+), the lane needs a (.+)",
         lambda m: _("Lane %(lane)s: the agency '%(code)s' is of type %(actual)s; the lane needs %(needed)s.",
                     lane=m.group(1), code=m.group(2), actual=type_label(m.group(3)),
                     needed=type_label(m.group(4)))),
    rule(r"lane (.+?): no agency of type (.+) in (.+) nor above (.+)",
         lambda m: _("Lane %(lane)s: no agency of type %(type)s in %(place)s, nor above %(agency)s.",
                     lane=m.group(1), type=type_label(m.group(2)), place=m.group(3), agency=m.group(4))),
    rule(r"(\d+) agencies of type (.+) in (.+) \((.+)\); name one in the instance data",
         lambda m: _("%(n)s agencies of type %(type)s in %(place)s (%(names)s): name one in the case data.",
                     n=m.group(1), type=type_label(m.group(2)), place=m.group(3), names=m.group(4))),
    rule(r"at '(.+?)': prefill (\w+) = (\w+)\(\): (.+)",
         lambda m: _("At '%(element)s' the system could not fill in %(field)s with %(function)s(): %(reason)s",
                     element=m.group(1), field=m.group(2), function=m.group(3), reason=m.group(4))),
    rule(r"field '(.+)' is not an ISO date: (.+)",
         lambda m: _("A deadline counts from the field '%(field)s', which holds no valid date: %(value)s",
                     field=m.group(1), value=m.group(2))),
    rule(r"field '(.+)' holds a date too far in the future: (.+)",
         lambda m: _("A deadline counts from the field '%(field)s', whose date is too far in the future: %(value)s",
                     field=m.group(1), value=m.group(2))),
    rule(r"field '(.+)' holds no date",
         lambda m: _("A deadline counts from the field '%(field)s', which holds no date.", field=m.group(1))),
    rule(r"loop ran without waiting at '(.+)': (\d+) levels in one step; "
         r"a loop must wait for a user task, a timer or a message",
         lambda m: _("The loop at '%(element)s' ran %(levels)s levels deep in one step without waiting; a loop "
                     "must wait for a user task, a timer or a message.", element=m.group(1), levels=m.group(2))),
    rule(r"task tree too deep at '(.+)' \(depth (\d+)\) although compacted: "
         r"the case keeps more open branches than the engine can follow",
         lambda m: _("The task tree at '%(element)s' is too deep (depth %(depth)s) even after compaction: the case "
                     "keeps more open branches than the engine can follow.", element=m.group(1),
                     depth=m.group(2))),
    # Stopped by the depth check before compaction existed (such cases resume now).
    rule(r"loop ran too long at '(.+)' \(depth (\d+)\); bound the loop in the diagram",
         lambda m: _("The loop at '%(element)s' ran too long (depth %(depth)s); bound the loop in the diagram.",
                     element=m.group(1), depth=m.group(2))),
    rule(r"at '(.+?)': timer expression '(.+?)': " + _DETAIL,
         lambda m: _("At '%(element)s' the timer expression '%(expression)s' failed: %(detail)s",
                     element=m.group(1), expression=m.group(2), detail=m.group(3))),
    rule(r"timer processing failed: " + _DETAIL,
         lambda m: _("Processing the case's timers failed: %(detail)s", detail=m.group(1))),
    rule(r"at '(.+?)': " + _DETAIL,
         lambda m: _("The step at '%(element)s' failed: %(detail)s", element=m.group(1), detail=m.group(2))),
]


def localize_stop_reason(reason: str | None) -> str:
    """The reason a case stopped, in the page language (unknown ones as they are)."""
    return translate(_RULES, reason) if reason else ""
