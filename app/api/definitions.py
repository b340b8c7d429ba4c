"""Deployed process definitions: list, versions, diagram, upload."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_login import login_required
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import FileStorage

from app.api.blueprint import Blueprint
from app.api.definition_schemas import DeploymentSchema, ProcessDefinitionSchema
from app.api.docs import answers
from app.auth import acting_user, role_required
from app.extensions import db
from workflows.db import INT_MAX
from workflows.deployment import catalog
from workflows.deployment.deploy import deploy_checked
from workflows.errors import InvalidDataError, NotFoundError
from workflows.messages import problem

blp = Blueprint("definitions", __name__, url_prefix="/api/v1/process-definitions",
                description="Process diagrams and their versions")


@blp.route("")
@login_required
@blp.response(200, ProcessDefinitionSchema(many=True))
def list_process_definitions() -> Any:
    """The latest version of every deployed process."""
    return catalog.with_settings(db.session, catalog.latest_definitions(db.session))


class DiagramQuerySchema(Schema):
    """Which version's diagram."""

    version = fields.Integer(validate=validate.Range(1, INT_MAX), metadata={"description": "default: the latest"})


# The upload as the view reads it from request.files (its own 422 names a missing `diagram`).
DEPLOY_BODY = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["diagram"], "properties": {
        "diagram": {"type": "string", "format": "binary", "description": "the .bpmn file"},
        "forms": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "JSON Schema files, referenced from the diagram by file name"}}}}}}


@blp.route("/<key>")
@login_required
@answers(404)
@blp.response(200, ProcessDefinitionSchema(many=True))
def get_process_definition(key: str) -> Any:
    """All versions of one process, newest first."""
    rows = catalog.definition_versions(db.session, key)
    if not rows:
        raise NotFoundError("process_not_deployed", key=key)
    return catalog.with_settings(db.session, rows)


@blp.route("/<key>/diagram")
@login_required
@answers(404)
@blp.arguments(DiagramQuerySchema, location="query")
@blp.response(200, {"type": "string"}, content_type="application/xml", description="the BPMN XML as uploaded")
def get_process_diagram(args: dict[str, Any], key: str) -> Response:
    """The BPMN XML of the latest version (or ?version=N)."""
    version = args.get("version")
    definition = catalog.find_definition(db.session, key, version)
    if definition is None:
        raise (NotFoundError("process_version_not_found", key=key, version=version) if version
               else NotFoundError("process_not_deployed", key=key))
    return Response(definition.diagram_xml, mimetype="application/xml")


def _read(upload: FileStorage) -> bytes:
    """Read an uploaded file and close it (large uploads are spooled to temporary files)."""
    try:
        return upload.read()
    finally:
        upload.close()


@blp.route("", methods=["POST"])
@role_required("admin")
@answers(403, 413, 422)
@blp.alt_response(200, schema=DeploymentSchema, description="an identical version was deployed before",
                  success=True)
@blp.response(201, DeploymentSchema)
@blp.doc(requestBody=DEPLOY_BODY)
def deploy_process_definition() -> Any:
    """Validate and deploy a diagram with its forms (admin); identical uploads change nothing."""
    diagram = request.files.get("diagram")
    if diagram is None:
        raise InvalidDataError("diagram_field_missing", [problem(None, "diagram_file_missing")])
    forms = {f.filename: _read(f) for f in request.files.getlist("forms") if f.filename}
    done = deploy_checked(db.session, _read(diagram), forms, acting_user())
    db.session.commit()
    return {"created": done.created, "definition": catalog.with_settings(db.session, [done.definition])[0],
            "warnings": done.warnings}, 201 if done.created else 200
