"""The supervisor's dashboard (filled in later)."""

from __future__ import annotations

from flask import render_template

from app.web.blueprint import web_bp
from app.web.security import roles_required


@web_bp.route("/dashboard")
@roles_required("supervisor", "admin", "leader")
def show_dashboard() -> str:
    """Open and overdue work per agency and process."""
    return render_template("dashboard/index.html")
