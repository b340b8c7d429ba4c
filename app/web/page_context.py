"""What every page shows: the signed-in user, the notice count, languages; date and due-time helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.web import due_display, forms
from app.web.i18n import LANGUAGES
from app.web.messages import notice_title, shown
from app.web.presenters import notice_kind, shown_data
from app.web.wording import period_text, role_label
from workflows.deadlines.due_status import due_state
from workflows.deployment.catalog import may_start_any
from workflows.deployment.conditions import applies, field_conditions
from workflows.work.notices import unread_count

UNREAD_SHOWN = 99  # the header shows "99+" beyond this

LEVEL_LABELS = {"district": _l("District or county"), "city": _l("City"), "province": _l("Province"),
                "national": _l("National")}

# What the system fills in (a diagram's `prefill`: workflows/statistics/prefill.py), labelled on the item page.
PREFILL_LABELS = {
    "period": _l("Period"), "agency": _l("Agency"), "cases_started": _l("Cases started"),
    "cases_ended": _l("Cases ended"), "items_completed": _l("Work items completed"),
    "items_with_deadline": _l("of them with a deadline"), "items_on_time": _l("completed on time"),
    "items_late": _l("completed late"), "escalations": _l("Escalations"), "extensions": _l("Extensions granted"),
    "measures": _l("Counted steps"),
}


def prefill_label(key: str) -> str:
    """A prefilled figure's label in the page language (its key where none is known)."""
    return str(PREFILL_LABELS.get(key, key))


def init_app(app: Flask) -> None:
    """Register the template globals and filters."""
    app.context_processor(_page_context)
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(level_label, "level_label")
    app.add_template_filter(prefill_label, "prefill_label")
    app.add_template_filter(period_text, "period")
    app.add_template_filter(notice_kind, "notice_kind")
    app.add_template_filter(shown, "stop_reason")
    app.add_template_filter(shown, "message")
    app.add_template_filter(notice_title, "notice_title")
    app.add_template_global(due_state)
    app.add_template_global(shown_data, "data_groups")
    app.add_template_filter(due_display.due_time, "due_time")
    app.add_template_filter(due_display.standing_text, "standing_text")
    app.add_template_global(due_display.due_left)
    app.add_template_global(due_display.late_by)
    app.add_template_global(forms.widget, "form_widget")
    app.add_template_global(forms.input_value, "form_value")
    app.add_template_global(forms.choices, "form_choices")
    app.add_template_global(field_conditions, "form_conditions")
    app.add_template_global(applies, "form_applies")


def _page_context() -> dict[str, Any]:
    """The header's facts: who is signed in, for which agency, how many unread notices."""
    context: dict[str, Any] = {"languages": LANGUAGES, "language": str(get_locale() or "zh"),
                               "current_path": request.full_path.rstrip("?")}
    if current_user.is_authenticated:
        # Counted up to the badge's limit: the header of every page reads no more rows than it shows.
        context["unread_notices"] = unread_count(db.session, current_user._get_current_object(), cap=UNREAD_SHOWN + 1)
        context["unread_shown"] = UNREAD_SHOWN
        context["may_start_cases"] = may_start_any(db.session, current_user.agency.type.code)
    return context


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """A UTC instant as Shanghai wall-clock time in the page language."""
    if value is None:
        return ""
    return format_datetime(value, "yyyy-MM-dd HH:mm" if fmt == "short" else fmt)


def level_label(level: str) -> str:
    """An agency's level in the page language."""
    return str(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level
