"""The mediator's pages: the record of a mediation (sessions, agreement) and the printable application
package for judicial confirmation (司法确认申请材料), built from any process's data and completed steps."""

from __future__ import annotations

import io
import re

from flask import Response, render_template, request, send_file
from flask_babel import gettext as _

from app.extensions import db
from app.web.blueprint import web_bp
from app.web.package import PARTY_NAME, application
from app.web.page_context import local_time
from app.web.pdf import PdfUnavailableError, render_pdf
from app.web.presenters import field_labels
from app.web.security import error_page, roles_required, signed_in_user
from workflows.clock import now
from workflows.deployment.catalog import mediation_processes
from workflows.deployment.definitions import compiled
from workflows.models import ProcessInstance
from workflows.models.work_item import COMPLETED
from workflows.work import instances

PAGE_SIZE = 25
UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


@web_bp.route("/mediation")
@roles_required("mediator", "judge")
def list_mediations() -> str:
    """Cases of the processes that keep a mediation record (diagram property) my agency takes part in, paged."""
    after = request.args.get("after") or None
    page = instances.page_instances(db.session, signed_in_user(), keys=mediation_processes(db.session),
                                    limit=PAGE_SIZE, after=after)
    return render_template("mediation/list.html", instances=page.rows, next=page.next, after=after)


def _record(instance_id: int) -> dict:
    """The case, its data with labels, and its completed steps in order."""
    instance = instances.get_instance(db.session, signed_in_user(), instance_id)
    items = instances.instance_work_items(db.session, instance)
    forms = compiled(db.session, instance.definition).forms
    return {"instance": instance, "data": instances.instance_data(instance), "forms": forms,
            "labels": field_labels(forms),
            "steps": [i for i in items if i.status == COMPLETED and i.submitted_data is not None]}


def _package_page(instance_id: int) -> tuple[str, dict]:
    """The application package as HTML, and the record it was made from."""
    record = _record(instance_id)
    made = application(db.session, record["instance"], record["data"], record["forms"], record["labels"],
                       record["steps"])
    return render_template("mediation/package.html", now_local=local_time(now()), application=made,
                           party_name=PARTY_NAME, **record), record


@web_bp.route("/mediation/<int:instance_id>")
@roles_required("mediator", "judge")
def show_mediation(instance_id: int) -> str:
    """The mediation record: every session and the agreement, as submitted."""
    return render_template("mediation/record.html", **_record(instance_id))


@web_bp.route("/mediation/<int:instance_id>/package")
@roles_required("mediator", "judge")
def print_package(instance_id: int) -> str:
    """The judicial-confirmation application package as a printable page."""
    return _package_page(instance_id)[0]


def package_filename(instance: ProcessInstance) -> str:
    """judicial-confirmation-<case no.>.pdf, the case number kept as written (Chinese too) but safe as a name."""
    case_no = UNSAFE_IN_FILENAME.sub("-", instance.business_key or "").strip("-.") or str(instance.id)
    return f"judicial-confirmation-{case_no}.pdf"


@web_bp.route("/mediation/<int:instance_id>/package.pdf")
@roles_required("mediator", "judge")
def download_package_pdf(instance_id: int) -> Response | tuple[str, int]:
    """The judicial-confirmation application package as PDF, laid out as the printable page prints."""
    html, record = _package_page(instance_id)
    try:
        pdf = render_pdf(html)
    except PdfUnavailableError as err:
        return error_page(503, _("PDF output is not available on this server: %(reason)s", reason=str(err)))
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf",
                         download_name=package_filename(record["instance"]))
    response.headers["Cache-Control"] = "private, no-store"  # parties' identity numbers: keep it out of caches
    return response
