"""Cases: list, start, and the instance page with timeline, diagram and open work items."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.files import file_store
from app.web.actions import attempt
from app.web.attachments import upload_stream
from app.web.blueprint import web_bp
from app.web.forms import parse_form
from app.web.messages import form_errors_shown, shown
from app.web.presenters import field_labels, history
from app.web.security import login_required, signed_in_user
from workflows import strict_json
from workflows.clock import now
from workflows.deployment.catalog import latest_definitions
from workflows.deployment.definitions import compiled
from workflows.errors import ConflictError, DomainError, InvalidDataError, NotFoundError, PermissionDeniedError
from workflows.messages import Message
from workflows.models.process import InstanceStatus
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.work import instances
from workflows.work.diagram_states import diagram_states
from workflows.work.progress import agency_progress
from workflows.work.recovery import resume_instance
from workflows.work.reminders import supervised_in
from workflows.work.starting import start_and_claim

PAGE_SIZE = 25
STATUSES = tuple(InstanceStatus)


@web_bp.route("/instances")
@login_required
def list_instances_page() -> str:
    """Cases my agency takes part in (all for admins and supervisors)."""
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    process = request.args.get("process") or None
    business_key = (request.args.get("business_key") or "").strip() or None
    after = request.args.get("after") or None
    page = instances.page_instances(db.session, signed_in_user(), status=status, key=process,
                                    business_key=business_key, limit=PAGE_SIZE, after=after)
    return render_template("instances/list.html", instances=page.rows, next=page.next, after=after,
                           status=status, process=process, business_key=business_key or "",
                           statuses=STATUSES, processes=[(d.key, d.name) for d in latest_definitions(db.session)])


def _new_instance_page(selected: str, values: dict[str, Any] | None = None,
                       errors: dict[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    """The start page: the processes my agency may start, and the selected one's start form."""
    user = signed_in_user()
    startable = [d for d in latest_definitions(db.session) if instances.may_start(user, compiled(db.session, d).info)]
    selected = selected or (startable[0].key if startable else "")
    return render_template("instances/new.html", definitions=startable, selected=selected,
                           schema=instances.start_schema(db.session, selected, user.agency) if selected else None,
                           values=values or {}, errors=errors or {},
                           business_key=request.values.get("business_key", ""),
                           title=request.values.get("title", "")), status


@web_bp.route("/instances/new")
@login_required
def new_instance() -> tuple[str, int]:
    """Choose a process to start, with a case number, a title and the process's start form if it has one."""
    return _new_instance_page(request.args.get("process", ""))


@web_bp.route("/instances", methods=["POST"])
@login_required
def start_instance() -> Any:
    """Start the latest version of a process for my agency and go to its first task."""
    key = request.form.get("process_key", "").strip()[:100]
    business_key = request.form.get("business_key", "").strip()[:100] or None
    title = request.form.get("title", "").strip()[:300] or None
    user = signed_in_user()
    data: dict[str, Any] = {}

    def start() -> Any:
        schema = instances.start_schema(db.session, key, user.agency)  # read as the page offered it
        data.update(parse_form(schema, request.form, request.files, lambda upload: instances.upload_start_file(
            db.session, file_store(), user, key, *upload_stream(upload)).describe()) if schema else {})
        db.session.commit()  # the uploads wait for the case, whatever becomes of this start
        return start_and_claim(db.session, user, key, data, business_key=business_key, title=title)

    try:
        instance, claimed = attempt(start, lambda reason: _("The case could not be started: %(reason)s", reason=reason),
                           url_for("web.new_instance", process=key), refused=(NotFoundError, PermissionDeniedError,
                                                                              ConflictError))
    except InvalidDataError as err:  # the start form's errors at their fields, what was typed kept
        db.session.rollback()
        flash(_("The form has errors; see the marked fields."), "error")
        return _new_instance_page(key, data, form_errors_shown(err.details), 422)
    flash(_("Case “%(title)s” started.", title=instance.title), "success")
    if claimed is not None:  # the starter takes the first task: it is claimed for them
        return redirect(url_for("web.show_work_item", item_id=claimed.id))
    return redirect(url_for("web.show_instance", instance_id=instance.id))


@web_bp.route("/instances/<int:instance_id>")
@login_required
def show_instance(instance_id: int) -> tuple[str, int]:
    """Timeline, diagram (completed, active and overdue elements marked) and open work items of one case."""
    instance = instances.get_instance(db.session, signed_in_user(), instance_id)
    return _instance_page(instance, _suggested_corrections(instance))


def _suggested_corrections(instance: Any) -> str:
    """The resume form's starting text: the field the stop reason names, with its value, for the admin to correct."""
    reason = instance.stop_reason if instance.status == "error" else None
    field = reason.params.get("field") if isinstance(reason, Message) else None
    if not isinstance(field, str):
        return ""
    return json.dumps({field: instances.instance_data(instance).get(field)}, ensure_ascii=False)


def _instance_page(instance: Any, corrections: str = "", corrections_error: str | None = None,
                   status: int = 200) -> tuple[str, int]:
    """The instance page; the admin's resume form keeps what was typed when it is refused."""
    items = instances.instance_work_items(db.session, instance)
    events = instances.instance_events(db.session, instance)
    forms = compiled(db.session, instance.definition).forms
    open_items = [i for i in items if i.status in ACTIVE_STATUSES]
    page = render_template("instances/show.html", instance=instance, items=items, open_items=open_items,
                           supervisions=supervised_in(db.session, signed_in_user(), open_items), now_utc=now(),
                           history=history(events, items), data=instances.instance_data(instance),
                           labels=field_labels(forms), states=diagram_states(db.session, instance, items),
                           corrections=corrections, corrections_error=corrections_error,
                           progress=agency_progress(db.session, instance))
    return page, status


@web_bp.route("/instances/<int:instance_id>/resume", methods=["POST"])
@login_required
def resume(instance_id: int) -> Any:
    """Admin: run a case in error again, with optional corrections to its data as a JSON object."""
    user = signed_in_user()
    instance = instances.get_instance(db.session, user, instance_id)
    text = request.form.get("corrections", "").strip()
    try:
        corrections = strict_json.loads(text) if text else {}
    except strict_json.JsonInputError as err:
        return _instance_page(instance, text, _("Not valid JSON: %(reason)s", reason=shown(err.message)), 422)
    if not isinstance(corrections, dict):
        return _instance_page(instance, text, _("The corrections must be a JSON object of field names and values."),
                              422)
    resumed = attempt(lambda: resume_instance(db.session, user, instance_id, corrections),
                      lambda reason: _("The case could not be resumed: %(reason)s", reason=reason),
                      url_for("web.show_instance", instance_id=instance_id), refused=(DomainError,))
    if resumed.status == InstanceStatus.ERROR:
        flash(_("The case stopped again: %(reason)s", reason=shown(resumed.stop_reason)), "error")
    else:
        flash(_("The case is running again."), "success")
    return redirect(url_for("web.show_instance", instance_id=instance_id))


@web_bp.route("/instances/<int:instance_id>/diagram.bpmn")
@login_required
def instance_diagram(instance_id: int) -> Response:
    """The BPMN XML of the version the case runs on."""
    instance = instances.get_instance(db.session, signed_in_user(), instance_id)
    return Response(instance.definition.diagram_xml, mimetype="application/xml")
