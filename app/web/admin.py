"""Admin pages: processes and their versions, the modeler, validation and deployment, uploads."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.inputs import query_int
from app.web.admin_directory import ROLES
from app.web.blueprint import admin_bp
from app.web.messages import problems_shown, shown
from app.web.page_context import role_label
from app.web.security import roles_required, signed_in_user
from workflows.deployment.catalog import definition_versions, find_definition, latest_definitions
from workflows.deployment.deploy import DiagramInvalidError, deploy_checked, validate_diagram
from workflows.directory.entries import held_roles, list_agency_types
from workflows.engine.xml import UnsafeXmlError, utf8_document
from workflows.models import ProcessDefinition

MAX_DIAGRAM_BYTES = 4 * 1024 * 1024


@admin_bp.route("/")
@roles_required("admin")
def list_processes() -> str:
    """Every deployed process with its latest version."""
    return render_template("admin/processes.html", definitions=latest_definitions(db.session))


@admin_bp.route("/processes/<key>")
@roles_required("admin")
def show_process(key: str) -> str:
    """All versions of a process, newest first."""
    versions = definition_versions(db.session, key)
    if not versions:
        abort(404, _("No process '%(key)s' is deployed.", key=key))
    return render_template("admin/process.html", key=key, versions=versions)


def _definition(key: str, version: int | None) -> ProcessDefinition:
    """One version of a process (the latest when none is named), else 404."""
    found = find_definition(db.session, key, version)
    if found is None:
        abort(404, _("No process '%(key)s' is deployed.", key=key))
    return found


@admin_bp.route("/processes/<key>/diagram.bpmn")
@roles_required("admin")
def process_diagram(key: str) -> Response:
    """The BPMN XML of a version (?version=N, default the latest)."""
    definition = _definition(key, query_int("version", minimum=1))
    return Response(definition.diagram_xml, mimetype="application/xml")


def _type_choices() -> list[tuple[str, str]]:
    """(code, name) of every agency type, for the lanes' drop-down."""
    return [(t.code, t.name) for t in list_agency_types(db.session)]


def _role_choices() -> list[tuple[str, str]]:
    """(code, label) of the roles a task may require: the known ones, then any other a user holds."""
    others = sorted(held_roles(db.session) - set(ROLES))
    return [(code, role_label(code)) for code in (*ROLES, *others)]


def _modeler(definition: ProcessDefinition | None) -> str:
    """The modeler page, with the directory's agency types and roles to choose from."""
    return render_template("admin/modeler.html", definition=definition, forms=definition.forms if definition else {},
                           agency_types=_type_choices(), roles=_role_choices())


@admin_bp.route("/modeler")
@roles_required("admin")
def new_diagram() -> str:
    """The modeler with an empty process."""
    return _modeler(None)


@admin_bp.route("/processes/<key>/modeler")
@roles_required("admin")
def edit_diagram(key: str) -> str:
    """The modeler on a deployed version (the latest unless ?version=N)."""
    return _modeler(_definition(key, query_int("version", minimum=1)))


def _posted_diagram() -> tuple[bytes, dict[str, bytes]]:
    """The modeler's JSON body: {"xml": "...", "forms": {"name.json": "...json text..."}}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        abort(400, _("Send the diagram as JSON: xml and forms."))
    forms = body.get("forms") or {}
    if not isinstance(forms, dict) or not all(isinstance(v, str) for v in forms.values()):
        abort(400, _("Forms must be a map of file names to JSON text."))
    xml = body["xml"].encode("utf-8")
    if len(xml) > MAX_DIAGRAM_BYTES:
        abort(413)
    return xml, {str(name)[:200]: text.encode("utf-8") for name, text in forms.items()}


def _errors_response(err: DiagramInvalidError) -> tuple[Response, int]:
    """The validator's errors, each naming its element, in the page language."""
    return jsonify({"ok": False, "message": shown(err.msg), "errors": problems_shown(err.details)}), 422


@admin_bp.route("/processes/validate", methods=["POST"])
@roles_required("admin")
def validate_process() -> Any:
    """Run the deployment checks without deploying; the modeler marks the elements at fault."""
    xml, forms = _posted_diagram()
    try:
        valid = validate_diagram(xml, forms, {t.code for t in list_agency_types(db.session)})
    except DiagramInvalidError as err:
        return _errors_response(err)
    return jsonify({"ok": True, "key": valid.declared.key, "name": valid.declared.name, "errors": [],
                    "warnings": problems_shown(valid.warnings)})


@admin_bp.route("/processes/deploy", methods=["POST"])
@roles_required("admin")
def deploy_process() -> Any:
    """Deploy the modeler's diagram and forms as a new version (identical content changes nothing)."""
    xml, forms = _posted_diagram()
    try:
        done = deploy_checked(db.session, xml, forms, signed_in_user())
    except DiagramInvalidError as err:
        db.session.rollback()
        return _errors_response(err)
    db.session.commit()
    return jsonify({"ok": True, "created": done.created, "key": done.definition.key,
                    "version": done.definition.version, "errors": [], "warnings": problems_shown(done.warnings),
                    "url": url_for("admin.show_process", key=done.definition.key),
                    "start_url": url_for("web.new_instance", process=done.definition.key)})


def _as_text(xml: bytes) -> str:
    """An upload's text for the modeler to show again, in whatever encoding it declares."""
    try:
        return utf8_document(xml).decode("utf-8")
    except UnsafeXmlError:
        return xml.decode("utf-8", "replace")


def _read_upload(field: str) -> list[tuple[str, bytes]]:
    """Uploaded files of a multipart field as (name, bytes)."""
    files = []
    for upload in request.files.getlist(field):
        if upload and upload.filename:
            try:
                files.append((upload.filename.rsplit("/", 1)[-1], upload.read()))
            finally:
                upload.close()
    return files


@admin_bp.route("/processes/upload", methods=["GET"])
@roles_required("admin")
def upload_form() -> str:
    """The upload form for .bpmn files made with other tools."""
    return render_template("admin/upload.html", errors=None)


@admin_bp.route("/processes/upload", methods=["POST"])
@roles_required("admin")
def upload_process() -> Any:
    """Deploy an uploaded .bpmn with its .json forms; show the validator's errors by element."""
    diagrams = _read_upload("diagram")
    forms = dict(_read_upload("forms"))
    if len(diagrams) != 1:
        flash(_("Choose one .bpmn file."), "error")
        return render_template("admin/upload.html", errors=None), 400
    name, xml = diagrams[0]
    try:
        done = deploy_checked(db.session, xml, forms, signed_in_user())
    except DiagramInvalidError as err:
        db.session.rollback()
        return render_template("admin/upload.html", errors=problems_shown(err.details),
                               message=shown(err.msg), filename=name,
                               xml=_as_text(xml), forms_json=json.dumps(
                                   {k: v.decode("utf-8", "replace") for k, v in forms.items()})), 422
    db.session.commit()
    definition = done.definition
    flash(_("%(key)s version %(version)s deployed.", key=definition.key, version=definition.version) if done.created
          else _("%(key)s is unchanged: identical to version %(version)s.", key=definition.key,
                 version=definition.version), "success")
    for warning in problems_shown(done.warnings):
        flash(_("Warning: %(element)s: %(message)s", element=warning["where"], message=warning["message"]),
              "warning")
    return redirect(url_for("admin.show_process", key=definition.key))
