"""The in-app notice list and the unread count in the header (workflows.work.notices)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.extensions import db
from app.web.blueprint import web_bp
from app.web.security import login_required, signed_in_user
from workflows.work import notices

PAGE_SIZE = 30


@web_bp.route("/notices")
@login_required
def list_notices_page() -> str:
    """The user's notices, newest first, with links to their cases."""
    unread_only = request.args.get("unread") == "1"
    after = request.args.get("after") or None
    page = notices.page_notices(db.session, signed_in_user(), unread_only=unread_only, limit=PAGE_SIZE, after=after)
    return render_template("notices.html", notices=page.rows, next=page.next, after=after, unread_only=unread_only)


@web_bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@login_required
def mark_notice_read(notice_id: int) -> Response:
    """Mark one notice read; with open=1 go on to its case."""
    notice = notices.mark_read(db.session, signed_in_user(), notice_id)
    db.session.commit()
    if notice.instance_id and request.form.get("open") == "1":
        return redirect(url_for("web.show_instance", instance_id=notice.instance_id))
    return redirect(url_for("web.list_notices_page"))


@web_bp.route("/notices/read-all", methods=["POST"])
@login_required
def mark_all_notices_read() -> Response:
    """Mark every notice read."""
    notices.mark_all_read(db.session, signed_in_user())
    db.session.commit()
    return redirect(url_for("web.list_notices_page"))
