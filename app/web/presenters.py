"""Case data, history and work items put into words for the pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.web.forms import choices, schema_type
from app.web.messages import shown
from workflows.models import AuditEvent, WorkItem

EVENT_LABELS = {
    "instance.started": _l("started the case"),
    "instance.completed": _l("the case was completed"),
    "instance.error": _l("the case stopped with an error"),
    "instance.copied": _l("sent a copy to another agency"),
    "instance.timers_fired": _l("a timer fired"),
    "work_item.created": _l("a task was assigned"),
    "work_item.claimed": _l("claimed the task"),
    "work_item.released": _l("released the task"),
    "work_item.reassigned": _l("reassigned the task"),
    "work_item.completed": _l("completed the task"),
    "work_item.cancelled": _l("the task was cancelled"),
    "work_item.overdue": _l("the deadline was missed"),
    "work_item.reminded": _l("a deadline reminder was sent"),
    "work_item.reminder_sent": _l("a reminder was sent to the late agency"),
    "work_item.draft_saved": _l("a draft of the form was saved"),
    "work_item.extended": _l("the deadline was extended"),
    "instance.resumed": _l("the case was resumed"),
    "attachment.uploaded": _l("uploaded an attachment"),
    "notice.undeliverable": _l("a notice found no recipient"),
}
OTHER_EVENT = _l("recorded an event")

NOTICE_KINDS = {
    "deadline_approaching": _l("Deadline approaching"),
    "deadline_missed": _l("Deadline missed"),
    "deadline_extended": _l("Deadline extended"),
    "copy_received": _l("Copy received"),
    "task_arrived": _l("Task arrived"),
    "reminder": _l("Reminder from the supervising agency"),
    "process_event": _l("Case update"),
}


def notice_kind(kind: str) -> str:
    """A notice type in the page language; a diagram's own `noticeKind` codes (for the API's filter) read as
    a case update."""
    return str(NOTICE_KINDS.get(kind, NOTICE_KINDS["process_event"]))


@dataclass
class Label:
    """How a data field is shown: its title, the titles of its coded values, those of its own fields
    (an object's, or an array's items'), and the title of the form that declares it."""

    title: str
    values: dict[str, str]
    fields: dict[str, Label] = field(default_factory=dict)
    form: str = ""


def _labels(properties: dict[str, Any], form: str, into: dict[str, Label]) -> dict[str, Label]:
    """The labels of an object's properties, each with its own fields' labels (first declaration wins)."""
    for name, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        item = sub.get("items") if schema_type(sub) == "array" and isinstance(sub.get("items"), dict) else sub
        options = choices(item) or []
        label = into.setdefault(name, Label(sub.get("title", name), {str(v): t for v, t in options}, form=form))
        for nested in (sub, item):
            if isinstance(nested.get("properties"), dict):
                _labels(nested["properties"], form, label.fields)
    return into


def field_labels(forms: dict[str, Any]) -> dict[str, Label]:
    """Titles of the data fields the forms of the definition declare (the first form declaring a field wins).

    A nested field is labelled by the field that holds it: a party's `name` and an evidence item's `name`
    are titled by their own forms, not by whichever form names a `name` first.
    """
    labels: dict[str, Label] = {}
    for name, form in forms.items():
        if isinstance(form, dict) and isinstance(form.get("properties"), dict):
            _labels(form["properties"], str(form.get("title") or name), labels)
    return labels


@dataclass
class DataGroup:
    """The case data one form declares: its title and its fields as (name, label, value), in data order."""

    title: str
    fields: list[tuple[str, Label, Any]]


def shown_data(data: dict[str, Any], labels: dict[str, Label]) -> list[DataGroup]:
    """What the case data panel shows: only values a form of the process declares, grouped by that form.

    Engine counters, loop variables and keys the diagram's scripts keep (`supplement_rounds`, a
    multi-instance's `bureau`, `reports`) are declared by no form, so they are never shown.
    """
    groups: dict[str, DataGroup] = {}
    for name, value in data.items():
        label = labels.get(name)
        if label is None or value is None or value == "" or value == []:
            continue
        groups.setdefault(label.form, DataGroup(label.form, [])).fields.append((name, label, value))
    return list(groups.values())


@dataclass
class HistoryRow:
    """One line of an instance's timeline."""

    event: AuditEvent
    what: str
    task: str | None
    detail: str | None


def history(events: list[AuditEvent], items: list[WorkItem]) -> list[HistoryRow]:
    """The audit trail as a timeline: who, which agency, when, what."""
    titles = {item.id: item.title for item in items}
    rows = []
    for event in events:
        what = str(EVENT_LABELS.get(event.type, OTHER_EVENT))
        payload = event.payload or {}
        detail = shown(payload.get("message") or payload.get("reason")) if event.type == "instance.error" else None
        rows.append(HistoryRow(event, what, titles.get(event.work_item_id), detail))
    return rows
