"""Case data, history and work items put into words for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.web.forms import choices, schema_type
from app.web.stop_reasons import localize_stop_reason
from workflows.deadlines.periods import Period, Unit
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
    "work_item.extended": _l("the deadline was extended"),
}

NOTICE_KINDS = {
    "deadline_approaching": _l("Deadline approaching"),
    "deadline_missed": _l("Deadline missed"),
    "deadline_extended": _l("Deadline extended"),
    "copy_received": _l("Copy received"),
    "task_arrived": _l("Task arrived"),
    "process_event": _l("Case update"),
}


def notice_kind(kind: str) -> str:
    """A notice type in the page language (the diagram's own codes as they are)."""
    return str(NOTICE_KINDS[kind]) if kind in NOTICE_KINDS else kind


def _chinese_page() -> bool:
    """Whether the page is in Chinese."""
    return str(get_locale() or "zh").startswith("zh")


def period_text(period: Period | None) -> str:
    """A period in the page language: 15个工作日, 15 working days."""
    if period is None:
        return ""
    return f"{period.amount}{period.unit.chinese}" if _chinese_page() else str(period)


def period_forms() -> str:
    """How a period may be written, in the page language, from the units the deadline parser knows."""
    chinese = _chinese_page()
    forms = [f"“N{unit.chinese}”" if chinese else f"'N {unit.noun}'" for unit in Unit]
    return format_list(forms, style="or", locale=get_locale())


@dataclass
class Label:
    """How a data field is shown: its title and the titles of its coded values."""

    title: str
    values: dict[str, str]


def field_labels(forms: dict[str, Any]) -> dict[str, Label]:
    """Titles of the data fields named in any form of the definition (first form wins)."""
    labels: dict[str, Label] = {}

    def visit(properties: dict[str, Any]) -> None:
        for name, sub in properties.items():
            if not isinstance(sub, dict):
                continue
            item = sub.get("items") if schema_type(sub) == "array" and isinstance(sub.get("items"), dict) else sub
            options = choices(item) or []
            labels.setdefault(name, Label(sub.get("title", name), {str(v): t for v, t in options}))
            for nested in (sub, item):
                if isinstance(nested.get("properties"), dict):
                    visit(nested["properties"])

    for form in forms.values():
        if isinstance(form, dict) and isinstance(form.get("properties"), dict):
            visit(form["properties"])
    return labels


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
        what = str(EVENT_LABELS.get(event.type, event.type))
        payload = event.payload or {}
        detail = localize_stop_reason(payload.get("reason")) if event.type == "instance.error" else None
        rows.append(HistoryRow(event, what, titles.get(event.work_item_id), detail))
    return rows
