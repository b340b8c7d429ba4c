"""The supervisor's dashboard page; the counts come from `workflows.work.dashboard`."""

from __future__ import annotations

from flask import render_template

from app.extensions import db
from app.web.blueprint import web_bp
from app.web.security import roles_required, signed_in_user
from workflows.deadlines.due_status import BUCKETS
from workflows.work import dashboard


@web_bp.route("/dashboard")
@roles_required(*sorted(dashboard.DASHBOARD_ROLES))
def show_dashboard() -> str:
    """Open and overdue counts per agency and process, the oldest overdue items, a chart by due status."""
    data = dashboard.overview(db.session, signed_in_user())
    return render_template("dashboard/index.html", data=data, buckets=BUCKETS, total=max(data.total, 1))
