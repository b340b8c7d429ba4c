"""The mediator's pages (filled in later)."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from app.web.blueprint import web_bp
from app.web.security import roles_required


@web_bp.route("/mediation")
@roles_required("mediator", "judge")
def list_mediations() -> Response:
    """Mediation cases."""
    return redirect(url_for("web.list_instances_page"))


@web_bp.route("/mediation/<int:instance_id>")
@roles_required("mediator", "judge")
def show_mediation(instance_id: int) -> Response:
    """One mediation's record."""
    return redirect(url_for("web.show_instance", instance_id=instance_id))
