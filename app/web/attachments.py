"""Downloading a case's attachments from the pages (uploads go with the forms: work_item_pages, instances)."""

from __future__ import annotations

from flask import abort, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from app.extensions import db
from app.files import file_store
from app.web.blueprint import web_bp
from app.web.security import login_required, signed_in_user
from workflows.errors import NotFoundError
from workflows.work import attachments
from workflows.work.attachments import AttachmentDamagedError
from workflows.work.instances import get_instance


def upload_stream(upload: FileStorage) -> tuple:
    """What the services take of an uploaded file: its stream, name and declared type."""
    return upload.stream, upload.filename, upload.mimetype


@web_bp.route("/instances/<int:instance_id>/attachments/<sha256>")
@login_required
def download_attachment(instance_id: int, sha256: str) -> Response:
    """Send a file uploaded in a case the user may see, after checking its checksum."""
    instance = get_instance(db.session, signed_in_user(), instance_id)
    try:
        attachment = attachments.find(db.session, instance, sha256)
        path = file_store().checked(attachment.sha256)
    except NotFoundError:
        abort(404)
    except AttachmentDamagedError:
        abort(410, _("The stored file no longer matches its checksum."))
    # Served as a download, never rendered, whatever type the uploader claimed.
    return send_file(path, mimetype="application/octet-stream", as_attachment=True,
                     download_name=attachment.filename)
