"""The work queue and the work-item page: claim, release, fill in and submit a task's form."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.extensions import db
from app.files import file_store
from app.web.actions import attempt
from app.web.attachments import upload_stream
from app.web.blueprint import web_bp
from app.web.forms import parse_form
from app.web.messages import form_errors_shown
from app.web.presenters import field_labels, history
from app.web.redirects import safe_next
from app.web.security import login_required, signed_in_user
from workflows.clock import now
from workflows.deployment.catalog import process_choices
from workflows.deployment.definitions import compiled
from workflows.errors import ConflictError, InvalidDataError
from workflows.models import WorkItem
from workflows.statistics.report import labels
from workflows.work import work_items
from workflows.work.deadline_extensions import extend_deadline, extensions_of, may_extend
from workflows.work.instances import instance_data, instance_events, instance_work_items
from workflows.work.queues import DUE_FILTERS, VIEWS, page_work_items
from workflows.work.reminders import supervised

PAGE_SIZE = 20


@web_bp.route("/")
@login_required
def index() -> Response:
    """Start on the page of the user's job: the dashboard to oversee, the mediation list, else the queue."""
    user = signed_in_user()
    if user.oversees:
        return redirect(url_for("web.show_dashboard"))
    if user.has_role("mediator"):
        return redirect(url_for("web.list_mediations"))
    return redirect(url_for("web.list_work_items_page"))


@web_bp.route("/work-items")
@login_required
def list_work_items_page() -> str:
    """My agency's open items, mine, overdue, or completed by me; filtered and paged in the database."""
    view = request.args.get("view", "queue")
    view = view if view in VIEWS else "queue"
    process = request.args.get("process") or None
    # Due status is a property of open work: the completed view has no such filter.
    due = request.args.get("due") if request.args.get("due") in DUE_FILTERS and view != "completed" else None
    after = request.args.get("after") or None
    page = page_work_items(db.session, signed_in_user(), view, process, PAGE_SIZE, due=due, after=after)
    return render_template("work_items/queue.html", items=page.rows, next=page.next, after=after, view=view,
                           views=VIEWS, process=process, due_filter=due, processes=process_choices(db.session))


def _back_to(item: WorkItem) -> str:
    """Where to return after an action: the page the button was on, else the item."""
    return safe_next(request.form.get("next"), url_for("web.show_work_item", item_id=item.id))


@web_bp.route("/work-items/<int:item_id>/claim", methods=["POST"])
@login_required
def claim_work_item(item_id: int) -> Response:
    """Take an open item of my agency."""
    user = signed_in_user()
    item = work_items.get_work_item(db.session, user, item_id)
    attempt(lambda: work_items.claim(db.session, user, item),
            lambda reason: _("Could not claim: %(reason)s", reason=reason), url_for("web.list_work_items_page"))
    flash(_("You claimed “%(title)s”.", title=item.title), "success")
    return redirect(url_for("web.show_work_item", item_id=item.id))


@web_bp.route("/work-items/<int:item_id>/release", methods=["POST"])
@login_required
def release_work_item(item_id: int) -> Response:
    """Put a claimed item back in the agency queue."""
    user = signed_in_user()
    item = work_items.get_work_item(db.session, user, item_id)
    attempt(lambda: work_items.release(db.session, user, item),
            lambda reason: _("Could not release: %(reason)s", reason=reason), _back_to(item))
    flash(_("“%(title)s” is back in the agency queue.", title=item.title), "success")
    return redirect(_back_to(item))


def _render_item(item: WorkItem, values: dict[str, Any] | None = None,
                 errors: dict[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    """The item page: its form (or what was submitted), the case data and its history."""
    instance = item.instance
    content = compiled(db.session, instance.definition)
    rule = content.info.deadline_of(item.task_name)
    schema = work_items.form_schema(db.session, item, choices=True)
    events = instance_events(db.session, instance)
    all_items = instance_work_items(db.session, instance)
    user = signed_in_user()
    fields = set((schema or {}).get("properties") or {})
    prefilled = item.prefilled or {}
    starting = {name: value for name, value in prefilled.items() if name in fields}  # editable in the form
    return render_template(
        "work_items/item.html", item=item, instance=instance, schema=schema,
        prefilled={name: value for name, value in prefilled.items() if name not in fields},
        extension=rule.extension.period if rule and rule.extension else None,
        may_extend=may_extend(user, item, rule), extensions=extensions_of(db.session, item),
        late_extension=bool(rule and rule.extension and rule.extension.late), now_utc=now(),
        values=values if values is not None else (item.submitted_data or item.draft or starting), errors=errors or {},
        data=instance_data(instance), labels=field_labels(content.forms), history=history(events, all_items),
        is_mine=item.assignee_id == user.id, supervision=supervised(db.session, user, item),
        measure_names=_measure_names() if item.prefilled else {}), status


def _measure_names() -> dict[str, str]:
    """The names the diagrams give their measure codes (a prefilled figure counts them over every process)."""
    names: dict[str, str] = {}
    for counted in labels(db.session).values():
        for code, name in counted["measures"].items():
            names.setdefault(code, name)
    return names


@web_bp.route("/work-items/<int:item_id>")
@login_required
def show_work_item(item_id: int) -> tuple[str, int]:
    """One work item with its form, the instance's shared data and history."""
    return _render_item(work_items.get_work_item(db.session, signed_in_user(), item_id))


def _posted_form(user: Any, item: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """The posted form as data of the schema; its files stored with the item (a submission and a draft alike)."""
    return parse_form(schema, request.form, request.files, lambda upload: work_items.attach_file(
        db.session, file_store(), user, item, *upload_stream(upload)).describe())


@web_bp.route("/work-items/<int:item_id>", methods=["POST"])
@login_required
def complete_work_item(item_id: int) -> Any:
    """Submit the form: on errors show them at their fields, else move the case on."""
    user = signed_in_user()
    item = work_items.get_work_item(db.session, user, item_id)
    schema = work_items.form_schema(db.session, item, choices=True) or {}
    data: dict[str, Any] = {}

    def submit() -> None:
        data.update(_posted_form(user, item, schema))
        db.session.commit()  # the uploads are the case's now, whatever becomes of this submission
        work_items.complete(db.session, user, item, data)

    try:
        attempt(submit, lambda reason: _("Could not submit: %(reason)s", reason=reason),
                url_for("web.show_work_item", item_id=item_id))
    except InvalidDataError as err:
        db.session.rollback()
        flash(_("The form has errors; see the marked fields."), "error")
        return _render_item(item, data, form_errors_shown(err.details), 422)
    flash(_("“%(title)s” is done.", title=item.title), "success")
    following = work_items.next_item(user, work_items.next_items(db.session, user, item.instance))
    if following is not None:  # the same user goes straight on with the case
        return redirect(url_for("web.show_work_item", item_id=following.id))
    return redirect(url_for("web.list_work_items_page"))


@web_bp.route("/work-items/<int:item_id>/draft", methods=["POST"])
@login_required
def save_work_item_draft(item_id: int) -> Response:
    """Keep the form as typed so far, unchecked; the item page opens with it again."""
    user = signed_in_user()
    item = work_items.get_work_item(db.session, user, item_id)
    schema = work_items.form_schema(db.session, item, choices=True) or {}

    def save() -> None:
        work_items.save_draft(db.session, user, item, _posted_form(user, item, schema))

    attempt(save, lambda reason: _("The draft could not be saved: %(reason)s", reason=reason),
            url_for("web.show_work_item", item_id=item_id), refused=(InvalidDataError, ConflictError))
    flash(_("The draft is saved; it is here when you open the task again."), "success")
    return redirect(url_for("web.show_work_item", item_id=item_id))


@web_bp.route("/work-items/<int:item_id>/extensions", methods=["POST"])
@login_required
def extend_work_item_deadline(item_id: int) -> Response:
    """A leader records an extension of the item's deadline (延长), with the reason and the approver."""
    user = signed_in_user()
    item = work_items.get_work_item(db.session, user, item_id)
    reason = request.form.get("reason", "").strip()
    approved_by = request.form.get("approved_by", "").strip() or None
    attempt(lambda: extend_deadline(db.session, user, item, reason, approved_by=approved_by),
            lambda why: _("The deadline could not be extended: %(reason)s", reason=why),
            url_for("web.show_work_item", item_id=item_id), refused=(InvalidDataError, ConflictError))
    flash(_("The deadline was extended."), "success")
    return redirect(url_for("web.show_work_item", item_id=item_id))
