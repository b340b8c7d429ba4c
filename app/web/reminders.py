"""催办 from a page: the agency supervising an overdue work item reminds the late agency."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.extensions import db
from app.web.actions import attempt
from app.web.blueprint import web_bp
from app.web.redirects import safe_next
from app.web.security import login_required, signed_in_user
from workflows.errors import ConflictError
from workflows.work import work_items
from workflows.work.reminders import send_reminder


@web_bp.route("/work-items/<int:item_id>/reminders", methods=["POST"])
@login_required
def remind_work_item(item_id: int) -> Response:
    """Send the late agency a reminder of the overdue item my agency supervises (once a day)."""
    user = signed_in_user()
    item = work_items.get_work_item(db.session, user, item_id)
    back = safe_next(request.form.get("next"), url_for("web.show_work_item", item_id=item_id))
    attempt(lambda: send_reminder(db.session, user, item),
            lambda reason: _("The reminder could not be sent: %(reason)s", reason=reason), back,
            refused=(ConflictError,))
    flash(_("A reminder was sent to %(agency)s.", agency=item.candidate_agency.name), "success")
    return redirect(back)
