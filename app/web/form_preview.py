"""The modeler's form preview: a JSON Schema being edited, rendered by the work-item page's own form macros."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _
from jinja2 import UndefinedError

from app.extensions import db
from app.web.blueprint import admin_bp
from app.web.security import roles_required, signed_in_user
from workflows.directory.choices import with_agency_choices

MAX_SCHEMA_CHARS = 512 * 1024  # a form's schema; shipped forms are under 10 kB


def _posted_schema() -> dict[str, Any]:
    """The posted {"schema": {...}}: an object schema of bounded size, else 400 or 413."""
    body = request.get_json(silent=True)
    schema = body.get("schema") if isinstance(body, dict) else None
    if not isinstance(schema, dict):
        abort(400, _("Send the form as JSON: a schema object."))
    if len(json.dumps(schema, ensure_ascii=False)) > MAX_SCHEMA_CHARS:
        abort(413)
    return schema


@admin_bp.route("/forms/preview", methods=["POST"])
@roles_required("admin")
def preview_form() -> str:
    """The fields of a posted JSON Schema as the work-item page shows them (an HTML fragment)."""
    schema = _posted_schema()
    try:
        # Agencies offered by a field's x-agencies hint are those the admin's own agency would be offered.
        schema = with_agency_choices(db.session, schema, signed_in_user().agency) or schema
        return render_template("admin/_form_preview.html", schema=schema)
    except (TypeError, AttributeError, KeyError, ValueError, UndefinedError):
        # A schema the deployment would refuse (properties that are not an object, ...) has no form to show.
        abort(422, _("This schema cannot be shown as a form."))
