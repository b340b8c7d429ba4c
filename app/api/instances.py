"""Process instances: start, list, read, history."""

from __future__ import annotations

from typing import Any

from flask_login import login_required

from app.api.blueprint import Blueprint
from app.api.docs import answers
from app.api.paging import PAGE_HEADERS, paged
from app.api.related import WithRelated
from app.api.schemas import (
    EventSchema,
    InstanceDetailSchema,
    InstanceQuerySchema,
    InstanceSchema,
    ResumeInstanceSchema,
    StartedInstanceSchema,
    StartInstanceSchema,
    WorkItemSchema,
)
from app.auth import acting_user
from app.extensions import db
from workflows.work import instances, recovery
from workflows.work.starting import start_and_claim
from workflows.work.work_items import next_items

blp = Blueprint("instances", __name__, url_prefix="/api/v1/process-instances", description="Running cases")


def instance_detail(instance: Any, **more: Any) -> WithRelated:
    """An instance with the related rows its detail view shows."""
    active = instances.instance_work_items(db.session, instance, active_only=True)
    return WithRelated(instance, data=instances.instance_data(instance), work_items=active,
                       next_items=[item for item in active if item.may_take_now(acting_user())],
                       history=instances.instance_events(db.session, instance), **more)


@blp.route("", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.arguments(StartInstanceSchema)
@blp.response(201, StartedInstanceSchema)
def start_process_instance(args: dict[str, Any]) -> Any:
    """Start the latest version of a process for the caller's agency."""
    instance, claimed = start_and_claim(db.session, acting_user(), args["process_key"], args["data"],
                                        business_key=args["business_key"], title=args["title"],
                                        claim_first=args["claim_first"])
    detail = instance_detail(instance, claimed_item=claimed)  # read before the commit, in the same transaction
    db.session.commit()
    return detail


@blp.route("")
@login_required
@blp.arguments(InstanceQuerySchema, location="query")
@blp.response(200, InstanceSchema(many=True), headers=PAGE_HEADERS)
def list_process_instances(args: dict[str, Any]) -> Any:
    """Instances the caller's agency takes part in (all for admins and supervisors), newest first.

    The next page's cursor is in X-Next-Cursor.
    """
    return paged(instances.page_instances(db.session, acting_user(), status=args.get("status"),
                                          key=args.get("process_key"), business_key=args.get("business_key"),
                                          limit=args["limit"], offset=args["offset"], after=args.get("after")))


@blp.route("/<int:instance_id>")
@login_required
@answers(403, 404)
@blp.response(200, InstanceDetailSchema)
def get_process_instance(instance_id: int) -> Any:
    """Status, data, open work items and history of one instance."""
    return instance_detail(instances.get_instance(db.session, acting_user(), instance_id))


@blp.route("/<int:instance_id>/next-items")
@login_required
@answers(403, 404)
@blp.response(200, WorkItemSchema(many=True))
def list_next_items(instance_id: int) -> Any:
    """The case's work items the caller may take now (claim, or complete their own claim)."""
    user = acting_user()
    return next_items(db.session, user, instances.get_instance(db.session, user, instance_id))


@blp.route("/<int:instance_id>/events")
@login_required
@answers(403, 404)
@blp.response(200, EventSchema(many=True))
def list_process_instance_events(instance_id: int) -> Any:
    """The audit trail of one instance."""
    instance = instances.get_instance(db.session, acting_user(), instance_id)
    return instances.instance_events(db.session, instance)


@blp.route("/<int:instance_id>/resume", methods=["POST"])
@login_required
@answers(403, 404, 409)
@blp.arguments(ResumeInstanceSchema)
@blp.response(200, InstanceDetailSchema)
def resume_process_instance(args: dict[str, Any], instance_id: int) -> Any:
    """Admin only: run an instance in error again once its cause is fixed, optionally correcting its data.

    The answer shows the instance running again, or in error with the new reason.
    """
    detail = instance_detail(recovery.resume_instance(db.session, acting_user(), instance_id, args["data"]))
    db.session.commit()
    return detail
