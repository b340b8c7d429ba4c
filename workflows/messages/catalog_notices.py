"""Notice titles, built when a notice is shown; `task` and `case` are the item's and the case's titles."""

from __future__ import annotations

from workflows.messages.catalog_requests import N_

NOTICES: dict[str, str] = {
    "notice_copy_received": N_("Copy: %(case)s (%(task)s)"),
    "notice_copy_received_case": N_("Copy: %(case)s"),
    "notice_deadline_approaching": N_("Due soon: %(task)s (%(case)s)"),
    "notice_deadline_missed": N_("Overdue: %(task)s (%(case)s)"),
    "notice_deadline_extended": N_("Deadline extended: %(task)s (%(case)s)"),
    "notice_deadline_extended_late": N_("Deadline extended after it passed: %(task)s (%(case)s)"),
    "notice_task_arrived": N_("New task: %(task)s (%(case)s)"),
    "notice_reminder": N_("Reminder from %(agency)s: %(task)s (%(case)s)"),
}
