"""Admin pages: processes and versions, the modeler, validation and deployment (filled in later)."""

from __future__ import annotations

from flask import render_template

from app.web.blueprint import admin_bp
from app.web.security import roles_required


@admin_bp.route("/")
@roles_required("admin")
def list_processes() -> str:
    """Every process with its versions."""
    return render_template("admin/processes.html")
