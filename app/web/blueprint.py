"""The page blueprints; the modules of app.web add their routes to them."""

from __future__ import annotations

from flask import Blueprint

web_bp = Blueprint("web", __name__)  # liaisons, mediators, supervisors: queues, items, instances
auth_bp = Blueprint("auth", __name__)  # signing in and out, language
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")  # processes, modeler, directory, calendar
