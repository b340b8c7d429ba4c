"""The in-app notice list, through workflows.notices once that service exists (until then: none)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.extensions import db
from app.web.blueprint import web_bp
from app.web.security import login_required, signed_in_user
from workflows.models import User

PAGE_SIZE = 30


def _service() -> ModuleType | None:
    """workflows.notices if it is installed in this tree."""
    try:
        return importlib.import_module("workflows.notices")
    except ImportError:
        return None


def unread_count(session: Session, user: User) -> int:
    """Unread notices of the user (0 while the notice service is absent)."""
    service = _service()
    return service.unread_count(session, user) if service else 0


def list_notices(session: Session, user: User, unread_only: bool, offset: int) -> list[Any]:
    """One page of the user's notices, newest first."""
    service = _service()
    if service is None:
        return []
    return list(service.list_notices(session, user, unread_only=unread_only, limit=PAGE_SIZE + 1, offset=offset))


@web_bp.route("/notices")
@login_required
def list_notices_page() -> str:
    """The user's notices with links to their instances."""
    unread_only = request.args.get("unread") == "1"
    offset = max(request.args.get("offset", 0, type=int), 0)
    rows = list_notices(db.session, signed_in_user(), unread_only, offset)
    return render_template("notices.html", notices=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                           offset=offset, unread_only=unread_only, available=_service() is not None,
                           page_size=PAGE_SIZE)


@web_bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@login_required
def mark_notice_read(notice_id: int) -> Response:
    """Mark one notice read and go to its instance when it has one."""
    service = _service()
    target = url_for("web.list_notices_page")
    if service is not None:
        notice = service.mark_read(db.session, signed_in_user(), notice_id)
        db.session.commit()
        instance_id = getattr(notice, "instance_id", None)
        if instance_id and request.form.get("open") == "1":
            target = url_for("web.show_instance", instance_id=instance_id)
    return redirect(target)


@web_bp.route("/notices/read-all", methods=["POST"])
@login_required
def mark_all_notices_read() -> Response:
    """Mark every notice read."""
    service = _service()
    if service is not None:
        service.mark_all_read(db.session, signed_in_user())
        db.session.commit()
    return redirect(url_for("web.list_notices_page"))
