"""Notices: each user's list (their own, their agency's, their role's), unread count, marking read."""

from __future__ import annotations

from typing import Any

from flask_login import login_required

from app.api.blueprint import Blueprint
from app.api.docs import answers
from app.api.paging import PAGE_HEADERS, paged
from app.api.schemas import NoticeCountSchema, NoticeQuerySchema, NoticeSchema
from app.auth import acting_user
from app.extensions import db
from workflows.work import notices

blp = Blueprint("notices", __name__, url_prefix="/api/v1/notices", description="In-app notices")


@blp.route("")
@login_required
@blp.arguments(NoticeQuerySchema, location="query")
@blp.response(200, NoticeSchema(many=True), headers=PAGE_HEADERS)
def list_notices(args: dict[str, Any]) -> Any:
    """My notices, newest first (unread=true for the unread ones only); the next page's cursor in X-Next-Cursor."""
    return paged(notices.page_notices(db.session, acting_user(), unread_only=args["unread"], kind=args.get("kind"),
                                      limit=args["limit"], offset=args["offset"], after=args.get("after")))


@blp.route("/unread-count")
@login_required
@blp.response(200, NoticeCountSchema)
def unread_count() -> Any:
    """How many of my notices are unread."""
    return {"unread": notices.unread_count(db.session, acting_user())}


@blp.route("/<int:notice_id>/read", methods=["POST"])
@login_required
@answers(404)
@blp.response(200, NoticeSchema)
def mark_read(notice_id: int) -> Any:
    """Mark one of my notices read."""
    user = acting_user()
    notice = notices.mark_read(db.session, user, notice_id)
    db.session.commit()
    return [notice, True]  # (notice, read) as NoticeSchema reads it; a tuple would be taken as (body, status)


@blp.route("/read-all", methods=["POST"])
@login_required
@blp.response(200, NoticeCountSchema)
def mark_all_read() -> Any:
    """Mark all my notices read; the unread count is then 0."""
    user = acting_user()
    notices.mark_all_read(db.session, user)
    db.session.commit()
    return {"unread": notices.unread_count(db.session, user)}
