"""The attachment store of this installation, from its settings."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from workflows.work.attachments import FileStore

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def file_store() -> FileStore:
    """ATTACHMENT_DIR (default: <instance folder>/attachments) with the ATTACHMENT_MAX_BYTES limit."""
    configured = current_app.config.get("ATTACHMENT_DIR")
    root = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    return FileStore(root=root, max_bytes=int(current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)))
