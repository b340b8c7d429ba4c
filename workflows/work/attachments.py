"""Attachments: files uploaded in a case, readable only through a case the reader may see and where they were uploaded.

A form field `{"type": "object", "format": "attachment"}` holds a file's description
({filename, sha256, size, content_type}); the bytes live once per checksum under the store's
folder (`<root>/<first two hex digits>/<sha256>`). The right to read them is an `Attachment` row
of the case, written when the file is uploaded for one of its work items (or, for a start form,
bound to the case it starts). A submission may name only files uploaded in its case (a start
form: files its starter uploaded for it), so writing another case's checksum into one's own
data opens nothing. Who may upload is checked before a byte is written.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.clock import now
from workflows.errors import DomainError, InvalidDataError, NotFoundError
from workflows.messages import Message, message
from workflows.models import Attachment, ProcessInstance, User, WorkItem

ATTACHMENT_KEYS = ("filename", "sha256", "size", "content_type")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 64 * 1024


class AttachmentDamagedError(DomainError):
    """The stored bytes no longer match their checksum (a damaged disk or restore)."""

    status = 410


@dataclass(frozen=True)
class FileStore:
    """The folder of attachment bytes and the size limit of one file."""

    root: Path
    max_bytes: int

    def path(self, sha256: str) -> Path:
        """Where the bytes of a checksum live."""
        return self.root / sha256[:2] / sha256

    def save(self, stream: BinaryIO, filename: str) -> tuple[str, int]:
        """Store a stream (size-limited, never held in memory whole); (checksum, size). Same bytes, one file."""
        digest, size = hashlib.sha256(), 0
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, delete=False) as tmp:
            try:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        mb = round(self.max_bytes / 2**20, 1)  # a person reads megabytes, a client the bytes
                        larger = message("field_larger_than", limit=self.max_bytes, mb=mb)
                        raise InvalidDataError("file_too_large", {"file": [larger]},
                                               name=filename, limit=self.max_bytes, mb=mb)
                    digest.update(chunk)
                    tmp.write(chunk)
            except BaseException:
                Path(tmp.name).unlink(missing_ok=True)
                raise
        sha = digest.hexdigest()
        self.path(sha).parent.mkdir(parents=True, exist_ok=True)
        Path(tmp.name).replace(self.path(sha))
        return sha, size

    def checked(self, sha256: str) -> Path:
        """The path of stored bytes that still match their checksum."""
        path = self.path(sha256)
        if not path.is_file():
            raise NotFoundError("attachment_not_found", sha256=sha256)
        digest = hashlib.sha256()
        with path.open("rb") as stored:
            while chunk := stored.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise AttachmentDamagedError("attachment_damaged")
        return path


def is_attachment(schema: dict[str, Any]) -> bool:
    """A file field: `{"type": "object", "format": "attachment"}`."""
    return isinstance(schema, dict) and schema.get("format") == "attachment"


def described_files(schema: dict[str, Any], data: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(field path, description) of every file the data names in the form's attachment fields."""
    if is_attachment(schema):
        if isinstance(data, dict):
            yield path, data
    elif isinstance(data, dict):
        for name, field in (schema.get("properties") or {}).items():
            if name in data:
                yield from described_files(field, data[name], f"{path}.{name}" if path else name)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, value in enumerate(data):
            yield from described_files(schema["items"], value, f"{path}.{index}" if path else str(index))


def _clean_name(filename: str | None) -> str:
    """The file's own name, without a client's folders, at most 200 characters."""
    return Path((filename or "file").replace("\\", "/")).name[:200] or "file"


def store_upload(session: Session, store: FileStore, actor: User, stream: BinaryIO, filename: str | None,
                 content_type: str | None, item: WorkItem | None = None) -> Attachment:
    """Store an upload and record it: in the item's case, or (no item) waiting for the start form's case.

    The caller has checked that the actor may upload here (work_items.attach_file, instances.upload_start_file).
    """
    name = _clean_name(filename)
    sha, size = store.save(stream, name)
    attachment = Attachment(sha256=sha, size=size, filename=name,
                            content_type=(content_type or "application/octet-stream")[:100],
                            instance_id=item.instance_id if item else None, work_item_id=item.id if item else None,
                            uploaded_by_id=actor.id, uploaded_at=now())
    session.add(attachment)
    session.flush()
    record(session, "attachment.uploaded", actor=actor, work_item=item,
           instance=item.instance if item else None, payload={"sha256": sha, "filename": name, "size": size})
    return attachment


def bind_start_files(session: Session, actor: User, instance: ProcessInstance, schema: dict[str, Any] | None,
                     data: dict[str, Any]) -> None:
    """Give the new case the files its start data names: each must be an upload of the starter's not yet in a case."""
    errors: dict[str, list[Message]] = {}
    for path, described in described_files(schema or {}, data):
        upload = session.scalars(select(Attachment).where(
            Attachment.instance_id.is_(None), Attachment.uploaded_by_id == actor.id,
            Attachment.sha256 == str(described.get("sha256", ""))).limit(1)).first()
        if upload is None:
            errors.setdefault(path, []).append(message("field_file_not_yours"))
        else:
            upload.instance_id = instance.id
    if errors:
        raise InvalidDataError("start_files_not_uploaded", errors)


def check_submitted_files(session: Session, instance_id: int, schema: dict[str, Any] | None,
                          data: dict[str, Any]) -> None:
    """Refuse a submission naming a file that was not uploaded in its case."""
    errors: dict[str, list[Message]] = {}
    for path, described in described_files(schema or {}, data):
        sha = str(described.get("sha256", ""))
        if not SHA256.match(sha) or _row(session, instance_id, sha) is None:
            errors.setdefault(path, []).append(message("field_file_not_in_case"))
    if errors:
        raise InvalidDataError("form_files_not_uploaded", errors)


def _row(session: Session, instance_id: int, sha256: str) -> Attachment | None:
    return session.scalars(select(Attachment).where(Attachment.instance_id == instance_id,
                                                    Attachment.sha256 == sha256).limit(1)).first()


def find(session: Session, instance: ProcessInstance, sha256: str) -> Attachment:
    """A file uploaded in the case (the caller loaded the case as one the user may see)."""
    attachment = _row(session, instance.id, sha256) if SHA256.match(sha256) else None
    if attachment is None:
        raise NotFoundError("attachment_not_in_case", sha256=sha256, case=instance.id)
    return attachment


def of_instance(session: Session, instance: ProcessInstance) -> list[Attachment]:
    """The files uploaded in the case, oldest first."""
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance.id)
                                .order_by(Attachment.id)))
