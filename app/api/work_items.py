"""Work items: queues, detail, claim, release, reassign, complete."""

from __future__ import annotations

from typing import Any

from flask_login import login_required

from app.api.blueprint import Blueprint
from app.api.docs import answers
from app.api.paging import PAGE_HEADERS, paged
from app.api.related import WithRelated
from app.api.schemas import (
    CompletedWorkItemSchema,
    CompleteWorkItemSchema,
    ExtendWorkItemSchema,
    ExtensionSchema,
    ReassignWorkItemSchema,
    ReminderSchema,
    SaveDraftSchema,
    WorkItemDetailSchema,
    WorkItemQuerySchema,
    WorkItemSchema,
)
from app.auth import acting_user
from app.extensions import db
from workflows.errors import InvalidDataError
from workflows.messages import message
from workflows.models import User
from workflows.work import work_items
from workflows.work.deadline_extensions import extend_deadline, extensions_of
from workflows.work.instances import instance_data
from workflows.work.queues import page_work_items
from workflows.work.reminders import send_reminder

blp = Blueprint("work_items", __name__, url_prefix="/api/v1/work-items", description="Work items")


@blp.route("")
@login_required
@blp.arguments(WorkItemQuerySchema, location="query")
@blp.response(200, WorkItemSchema(many=True), headers=PAGE_HEADERS)
def list_work_items_view(args: dict[str, Any]) -> Any:
    """My agency's queue, mine, overdue, or completed by me; the next page's cursor in X-Next-Cursor."""
    return paged(page_work_items(db.session, acting_user(), args["view"], args.get("process_key"), args["limit"],
                                 args["offset"], due=args.get("due"), after=args.get("after")))


@blp.route("/<int:item_id>")
@login_required
@answers(403, 404)
@blp.response(200, WorkItemDetailSchema)
def get_work_item(item_id: int) -> Any:
    """One work item with its form schema, due time and the case data."""
    item = work_items.get_work_item(db.session, acting_user(), item_id)
    return WithRelated(item, form=work_items.form_schema(db.session, item), data=instance_data(item.instance),
                       extensions=extensions_of(db.session, item))


@blp.route("/<int:item_id>/claim", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.response(200, WorkItemSchema)
def claim_work_item(item_id: int) -> Any:
    """Claim an open item of my agency; 409 if someone was faster."""
    user = acting_user()
    item = work_items.claim(db.session, user, work_items.get_work_item(db.session, user, item_id))
    db.session.commit()
    return item


@blp.route("/<int:item_id>/release", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.response(200, WorkItemSchema)
def release_work_item(item_id: int) -> Any:
    """Put a claimed item back in the agency queue."""
    user = acting_user()
    item = work_items.release(db.session, user, work_items.get_work_item(db.session, user, item_id))
    db.session.commit()
    return item


@blp.route("/<int:item_id>/reassign", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.arguments(ReassignWorkItemSchema)
@blp.response(200, WorkItemSchema)
def reassign_work_item(args: dict[str, Any], item_id: int) -> Any:
    """A leader gives the item to another user of the agency."""
    user = acting_user()
    item = work_items.get_work_item(db.session, user, item_id)
    assignee = db.session.get(User, args["assignee_id"])
    if assignee is None:
        raise InvalidDataError("unknown_assignee", {"assignee_id": [message("field_no_such_user")]})
    item = work_items.reassign(db.session, user, item, assignee)
    db.session.commit()
    return item


@blp.route("/<int:item_id>/complete", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.arguments(CompleteWorkItemSchema)
@blp.response(200, CompletedWorkItemSchema)
def complete_work_item(args: dict[str, Any], item_id: int) -> Any:
    """Submit the form: validate, move the process on, commit; answer with the items the caller may take next."""
    user = acting_user()
    item = work_items.complete(db.session, user, work_items.get_work_item(db.session, user, item_id), args["data"])
    following = work_items.next_items(db.session, user, item.instance)
    db.session.commit()
    return WithRelated(item, next_items=following, next_item=work_items.next_item(user, following))


@blp.route("/<int:item_id>/draft", methods=["PUT"])
@login_required
@answers(403, 404, 409)
@blp.arguments(SaveDraftSchema)
@blp.response(200, WorkItemDetailSchema)
def save_work_item_draft(args: dict[str, Any], item_id: int) -> Any:
    """Keep the form as filled in so far with the item I hold (not checked); completing the item clears it."""
    user = acting_user()
    item = work_items.save_draft(db.session, user, work_items.get_work_item(db.session, user, item_id), args["data"])
    detail = WithRelated(item, form=work_items.form_schema(db.session, item), data=instance_data(item.instance),
                         extensions=extensions_of(db.session, item))
    db.session.commit()
    return detail


@blp.route("/<int:item_id>/reminders", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.response(201, ReminderSchema)
def remind_work_item(item_id: int) -> Any:
    """催办: my agency, supervising the overdue item, reminds the agency holding it; once per item per day (409)."""
    user = acting_user()
    notice = send_reminder(db.session, user, work_items.get_work_item(db.session, user, item_id))
    db.session.commit()
    return notice


@blp.route("/<int:item_id>/extensions")
@login_required
@answers(403, 404)
@blp.response(200, ExtensionSchema(many=True))
def list_extensions(item_id: int) -> Any:
    """The recorded extensions of the item's deadline."""
    return extensions_of(db.session, work_items.get_work_item(db.session, acting_user(), item_id))


@blp.route("/<int:item_id>/extensions", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.arguments(ExtendWorkItemSchema)
@blp.response(201, ExtensionSchema)
def extend_work_item(args: dict[str, Any], item_id: int) -> Any:
    """A leader of the item's agency records an extension the process allows (延长): due time and timers move."""
    user = acting_user()
    item = work_items.get_work_item(db.session, user, item_id)
    extension = extend_deadline(db.session, user, item, args["reason"], args.get("approved_by"),
                                args.get("new_due_at"))
    db.session.commit()
    return extension
