"""Attachments over the API: upload for a held work item or a start form, list and download a case's files."""

from __future__ import annotations

from typing import Any

from flask import send_file
from flask_login import login_required
from flask_smorest.fields import Upload
from marshmallow import Schema

from app.api.blueprint import Blueprint
from app.api.docs import answers
from app.api.schemas import AttachmentSchema
from app.auth import acting_user
from app.extensions import db
from app.files import file_store
from workflows.work import attachments, instances, work_items

blp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="Files attached to cases")


class UploadSchema(Schema):
    """One file, sent as multipart form data in the field `file`."""

    file = Upload(required=True)


def _uploaded(attachment: Any) -> Any:
    """Commit the upload: from now on the case holds it, whatever becomes of the form that names it."""
    db.session.commit()
    return attachment


@blp.route("/work-items/<int:item_id>/attachments", methods=["POST"])
@login_required
@answers(403, 404, 409, 413)
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
def upload_for_work_item(files: dict[str, Any], item_id: int) -> Any:
    """Attach a file for the work item you hold; put the answer's description in the form's file field."""
    user = acting_user()
    item = work_items.get_work_item(db.session, user, item_id)
    upload = files["file"]
    return _uploaded(work_items.attach_file(db.session, file_store(), user, item, upload.stream, upload.filename,
                                            upload.mimetype))


@blp.route("/process-definitions/<key>/start-attachments", methods=["POST"])
@login_required
@answers(403, 404, 413)
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
def upload_for_start_form(files: dict[str, Any], key: str) -> Any:
    """Attach a file for the start form of a process you may start; the case you start with it takes it."""
    upload = files["file"]
    return _uploaded(instances.upload_start_file(db.session, file_store(), acting_user(), key, upload.stream,
                                                 upload.filename, upload.mimetype))


@blp.route("/process-instances/<int:instance_id>/attachments")
@login_required
@answers(403, 404)
@blp.response(200, AttachmentSchema(many=True))
def list_case_attachments(instance_id: int) -> Any:
    """The files uploaded in a case you may see."""
    return attachments.of_instance(db.session, instances.get_instance(db.session, acting_user(), instance_id))


@blp.route("/process-instances/<int:instance_id>/attachments/<sha256>")
@login_required
@answers(403, 404, 410)
@blp.response(200, {"type": "string", "format": "binary"}, description="the file, as a download",
              content_type="application/octet-stream")
def download_case_attachment(instance_id: int, sha256: str) -> Any:
    """A file uploaded in a case you may see, checked against its checksum (410 when the stored bytes changed)."""
    instance = instances.get_instance(db.session, acting_user(), instance_id)
    attachment = attachments.find(db.session, instance, sha256)
    path = file_store().checked(attachment.sha256)
    return send_file(path, mimetype="application/octet-stream", as_attachment=True,
                     download_name=attachment.filename)
