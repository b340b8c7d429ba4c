"""Files attached to task forms: stored once by SHA-256 under the instance folder, read back checked.

A form field `{"type": "object", "format": "attachment"}` holds {filename, sha256, size, content_type};
the bytes live in `ATTACHMENT_DIR/<first two hex digits>/<sha256>`. Downloads are allowed to users who
may see an instance whose data names the checksum.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from app.extensions import db
from app.web.blueprint import web_bp
from app.web.security import login_required, signed_in_user
from workflows.errors import InvalidDataError
from workflows.instances import get_instance, instance_data, instance_work_items

CHUNK = 64 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _root() -> Path:
    """The attachment folder (ATTACHMENT_DIR, else instance/attachments)."""
    configured = current_app.config.get("ATTACHMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def _path(sha256: str) -> Path:
    """Where the bytes of a checksum live."""
    return _root() / sha256[:2] / sha256


def save_upload(upload: FileStorage) -> dict[str, Any]:
    """Store an upload (streamed, size-limited) and describe it; the same bytes are stored once."""
    limit = current_app.config.get("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
    digest, size = hashlib.sha256(), 0
    _root().mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=_root(), delete=False) as tmp:
        try:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InvalidDataError("attachment too large", {"_schema": [
                        _("The file %(name)s is larger than %(mb)s MB.", name=upload.filename,
                          mb=round(limit / 1024 / 1024, 1))]})
                digest.update(chunk)
                tmp.write(chunk)
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
    sha = digest.hexdigest()
    target = _path(sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    Path(tmp.name).replace(target)
    name = Path((upload.filename or "file").replace("\\", "/")).name[:200] or "file"
    return {"filename": name, "sha256": sha, "size": size,
            "content_type": (upload.mimetype or "application/octet-stream")[:100]}


def _described(data: Any, sha256: str) -> dict[str, Any] | None:
    """The attachment description with this checksum anywhere in the data."""
    if isinstance(data, dict):
        if data.get("sha256") == sha256 and "filename" in data:
            return data
        data = list(data.values())
    if isinstance(data, list):
        for value in data:
            found = _described(value, sha256)
            if found:
                return found
    return None


@web_bp.route("/instances/<int:instance_id>/attachments/<sha256>")
@login_required
def download_attachment(instance_id: int, sha256: str) -> Response:
    """Send an attached file of an instance the user may see, after checking its checksum."""
    if not SHA256.match(sha256):
        abort(404)
    instance = get_instance(db.session, signed_in_user(), instance_id)
    described = _described(instance_data(instance), sha256) or _described(
        [item.submitted_data for item in instance_work_items(db.session, instance)], sha256)
    path = _path(sha256)
    if described is None or not path.is_file():
        abort(404)
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        abort(410, _("The stored file no longer matches its checksum."))
    # Served as a download, never rendered, whatever type the uploader claimed.
    return send_file(path, mimetype="application/octet-stream", as_attachment=True,
                     download_name=described["filename"])

