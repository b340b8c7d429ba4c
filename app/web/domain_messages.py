"""The services' reasons (English, shared with the API) in the page language.

The services in workflows/ know nothing of Flask or languages, and the API answers in English;
pages show the same reasons translated. Each rule matches one message the services raise;
values inside a message (ids, roles, names) are carried over. A message without a rule is shown
as it is, so a new service message is never lost — tests/test_web_domain_messages.py names them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.web.message_rules import Rule, rule, translate
from app.web.page_context import role_label

_RULES: list[Rule] = [
    rule(r"case number '(.*)' is already used by case (\d+) of this process",
         lambda m: _("Case number %(number)s is already used by case #%(id)s of this process.", number=m.group(1),
                     id=m.group(2))),
    rule(r"claim the work item before completing it", lambda m: _("Claim the work item before completing it.")),
    rule(r"claim the work item before saving a draft", lambda m: _("Claim the work item before saving a draft.")),
    rule(r"give the reason for the extension", lambda m: _("Give the reason for the extension.")),
    rule(r"only a leader reassigns work items", lambda m: _("Only a leader reassigns work items.")),
    rule(r"only an admin changes agencies, agency types and users",
         lambda m: _("Only an admin changes agencies, agency types and users.")),
    rule(r"only an admin changes the holiday calendar", lambda m: _("Only an admin changes the holiday calendar.")),
    rule(r"only an admin resumes an instance in error", lambda m: _("Only an admin resumes a case in error.")),
    rule(r"only the agency holding the work item extends its deadline",
         lambda m: _("Only the agency holding the work item extends its deadline.")),
    rule(r"only the assignee or a leader releases a claimed item",
         lambda m: _("Only the assignee or a leader releases a claimed item.")),
    rule(r"the agency cannot be created", lambda m: _("The agency cannot be created.")),
    rule(r"the user cannot be created", lambda m: _("The user cannot be created.")),
    rule(r"the assignee must be an active user of the item's agency",
         lambda m: _("The assignee must be an active user of the item's agency.")),
    rule(r"the dashboard is for supervisors, admins and leaders",
         lambda m: _("The dashboard is for supervisors, admins and leaders.")),
    rule(r"the form has errors", lambda m: _("The form has errors.")),
    rule(r"the start data has errors", lambda m: _("The start data has errors.")),
    rule(r"this process takes no start data: its start event declares no form",
         lambda m: _("This process takes no start data: its start event declares no form.")),
    rule(r"the instance changed meanwhile; reload and try again",
         lambda m: _("The case changed meanwhile; reload and try again.")),
    rule(r"the work item changed meanwhile; reload it", lambda m: _("The work item changed meanwhile; reload it.")),
    rule(r"the new due time needs a time zone", lambda m: _("The new due time needs a time zone.")),
    rule(r"the deadline has passed: this process allows no extension after the due time",
         lambda m: _("The deadline has passed: this process allows no extension after the due time.")),
    rule(r"the process allows no extension of this task's deadline",
         lambda m: _("The process allows no extension of this task's deadline.")),
    rule(r"the task is no longer waiting for this work item",
         lambda m: _("The task is no longer waiting for this work item.")),
    rule(r"only an agency supervising this work item sends it a reminder",
         lambda m: _("Only an agency supervising this work item sends it a reminder.")),
    rule(r"a reminder for this work item was already sent today; the next one may be sent from (\S+)",
         lambda m: _("A reminder for this work item was already sent today; the next one may be sent from %(day)s.",
                     day=m.group(1))),
    rule(r"the year is out of range", lambda m: _("The year is out of range.")),
    rule(r"the paging cursor is not one this list gave",
         lambda m: _("This page link is not one this list gave; start again from the first page.")),
    rule(r"(\w+) must be a whole number from (\d+) to (\d+)",
         lambda m: _("%(name)s must be a whole number from %(low)s to %(high)s.", name=m.group(1), low=m.group(2),
                     high=m.group(3))),
    rule(r"text may not contain the NUL character", lambda m: _("Text may not contain the NUL character.")),
    rule(r"the start data names files that were not uploaded for it",
         lambda m: _("The start data names files that were not uploaded for it.")),
    rule(r"the form names files that were not uploaded in this case",
         lambda m: _("The form names files that were not uploaded in this case.")),
    rule(r"the stored file no longer matches its checksum",
         lambda m: _("The stored file no longer matches its checksum.")),
    rule(r"attachment (\S+) not found in case (\d+)", lambda m: _("The file was not found in case %(id)s.",
                                                                   id=m.group(2))),
    rule(r"attachment (\S+) not found", lambda m: _("The file was not found.")),
    rule(r"the file (.+) is larger than (\d+) bytes",
         lambda m: _("The file %(name)s is larger than %(mb)s MB.", name=m.group(1),
                     mb=round(int(m.group(2)) / 1024 / 1024, 1))),
    rule(r"this work item belongs to another agency", lambda m: _("This work item belongs to another agency.")),
    rule(r"your agency does not take part in this instance",
         lambda m: _("Your agency does not take part in this case.")),
    rule(r"agency '(.+)' exists", lambda m: _("Agency '%(code)s' exists already.", code=m.group(1))),
    rule(r"agency type '(.+)' exists", lambda m: _("Agency type '%(code)s' exists already.", code=m.group(1))),
    rule(r"user '(.+)' exists", lambda m: _("User '%(name)s' exists already.", name=m.group(1))),
    rule(r"user (\d+) not found", lambda m: _("User %(id)s was not found.", id=m.group(1))),
    rule(r"unknown agency '(.+)'", lambda m: _("Unknown agency '%(code)s'.", code=m.group(1))),
    # Statistics (workflows.statistics).
    rule(r"no agency '(.+)'", lambda m: _("There is no agency '%(code)s'.", code=m.group(1))),
    rule(r"unknown period", lambda m: _("The period is not valid.")),
    rule(r"statistics are for supervisors, leaders and admins",
         lambda m: _("Statistics are for supervisors, leaders and admins.")),
    rule(r"these figures are outside the agencies you may see",
         lambda m: _("These figures are outside the agencies you may see.")),
    # Accounts and password rules (workflows.accounts): the last ones are field errors.
    rule(r"an admin cannot deactivate their own account", lambda m: _("An admin cannot deactivate their own account.")),
    rule(r"an admin changes their own password with the current one, not by a reset",
         lambda m: _("Change your own password with your current one (Change password), not by a reset.")),
    rule(r"the current password is wrong", lambda m: _("The current password is wrong.")),
    rule(r"the password was not changed", lambda m: _("The password was not changed.")),
    rule(r"the password was not reset", lambda m: _("The password was not reset.")),
    rule(r"wrong password", lambda m: _("Wrong password.")),
    rule(r"at least (\d+) characters", lambda m: _("At least %(n)s characters.", n=m.group(1))),
    rule(r"at most (\d+) characters", lambda m: _("At most %(n)s characters.", n=m.group(1))),
    rule(r"too common: it is on the list of the most used passwords",
         lambda m: _("Too common: it is on the list of the most used passwords.")),
    rule(r"must not contain the user name", lambda m: _("Must not contain the user name.")),
    rule(r"must not contain the agency code", lambda m: _("Must not contain the agency code.")),
    rule(r"must differ from the current password", lambda m: _("Must differ from the current password.")),
    rule(r"no process '(.+)' is deployed", lambda m: _("No process '%(key)s' is deployed.", key=m.group(1))),
    rule(r"notice (\d+) not found", lambda m: _("Notice %(id)s was not found.", id=m.group(1))),
    rule(r"process instance (\d+) not found", lambda m: _("Case %(id)s was not found.", id=m.group(1))),
    rule(r"work item (\d+) not found", lambda m: _("Work item %(id)s was not found.", id=m.group(1))),
    rule(r"only agencies of type (.+) start this process",
         lambda m: _("Only agencies of type %(types)s start this process.", types=m.group(1))),
    rule(r"recording an extension needs the role '(.+)'",
         lambda m: _("Recording an extension needs the role '%(role)s'.", role=role_label(m.group(1)))),
    rule(r"the assignee lacks the role '(.+)'",
         lambda m: _("The assignee lacks the role '%(role)s'.", role=role_label(m.group(1)))),
    rule(r"this work item needs the role '(.+)'",
         lambda m: _("This work item needs the role '%(role)s'.", role=role_label(m.group(1)))),
    rule(r"the new due time must be after (\S+) and at most (\S+) \((.+) more\)",
         lambda m: _("The new due time must be after %(after)s and at most %(latest)s (%(period)s more).",
                     after=m.group(1), latest=m.group(2), period=m.group(3))),
    rule(r"the deadline was already extended (\d+) time\(s\), the most allowed",
         lambda m: _("The deadline was already extended %(n)s time(s), the most allowed.", n=m.group(1))),
    rule(r"the instance is (\w+), not in error", lambda m: _("The case is %(status)s, not in error.",
                                                              status=_status(m.group(1)))),
    rule(r"the instance is (\w+): (.+)", lambda m: _("The case is %(status)s: %(reason)s",
                                                      status=_status(m.group(1)), reason=m.group(2))),
    rule(r"the instance is (\w+)", lambda m: _("The case is %(status)s.", status=_status(m.group(1)))),
    rule(r"work item (\d+) is (\w+) by (.+)", lambda m: _("Work item %(id)s is %(status)s by %(name)s.",
                                                          id=m.group(1), status=_status(m.group(2)),
                                                          name=m.group(3))),
    rule(r"work item (\d+) is (\w+), not claimed", lambda m: _("Work item %(id)s is %(status)s, not claimed.",
                                                               id=m.group(1), status=_status(m.group(2)))),
    rule(r"work item (\d+) is (\w+)", lambda m: _("Work item %(id)s is %(status)s.", id=m.group(1),
                                                  status=_status(m.group(2)))),
]


def _status(code: str) -> str:
    """A status word of an instance or work item."""
    words = {"open": _("open"), "claimed": _("claimed"), "completed": _("completed"), "cancelled": _("cancelled"),
             "running": _("running"), "error": _("in error")}
    return words.get(code, code)


def localize(message: str) -> str:
    """A service's reason in the page language (unknown ones as they are)."""
    return translate(_RULES, message)


def localize_details(details: Any) -> dict[str, list[str]]:
    """A service's field errors ({field: [reasons]}) in the page language; {} when it named no field."""
    if not isinstance(details, dict):
        return {}
    return {str(field): [localize(str(reason)) for reason in (reasons if isinstance(reasons, list) else [reasons])]
            for field, reasons in details.items()}
