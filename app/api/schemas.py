"""Input and output schemas of the JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.computed import computed
from workflows.accounts.passwords import MAX_LENGTH as PASSWORD_MAX
from workflows.clock import now
from workflows.db import INT_MAX  # every integer an input names is bounded so (tests/test_hostile_input.py)
from workflows.models.process import InstanceStatus
from workflows.models.work_item import WorkItemStatus
from workflows.work.queues import DUE_FILTERS, VIEWS


class TokenRequestSchema(Schema):
    """Credentials exchanged for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(1, 80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 200))


class AgencyRefSchema(Schema):
    """An agency named in another object."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class UserSchema(Schema):
    """A user as others see them."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    agency = fields.Nested(AgencyRefSchema)
    roles = fields.List(fields.String())
    active = fields.Boolean()


class TokenSchema(Schema):
    """A freshly issued token."""

    token = fields.String()
    token_type = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)


class CreateUserSchema(Schema):
    """A new user of an agency."""

    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,80}$"))
    display_name = fields.String(required=True, validate=validate.Length(1, 120))
    agency_code = fields.String(required=True, validate=validate.Length(1, 64))
    roles = fields.List(fields.String(validate=validate.Regexp(r"^[a-z_]{2,50}$")), required=True,
                        validate=validate.Length(min=1))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX))


class ResetPasswordSchema(Schema):
    """A new password an admin sets for a user (the rules: README, "Security")."""

    password = fields.String(required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX))


class ChangePasswordSchema(Schema):
    """A user's own new password, with the current one."""

    current_password = fields.String(required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=PASSWORD_MAX))


class AgencyTypeSchema(Schema):
    """An agency type (also the input to create one)."""

    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,63}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))


class AgencySchema(Schema):
    """An agency."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    type = computed(fields.String(), lambda a: a.type.code)
    jurisdiction = fields.String()
    level = fields.String()
    parent = computed(fields.String(allow_none=True, metadata={"description": "the superior office's code"}),
                      lambda a: a.parent.code if a.parent else None)
    active = fields.Boolean()


class CreateAgencySchema(Schema):
    """A new agency."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    type = fields.String(required=True, validate=validate.Length(1, 64))
    jurisdiction = fields.String(required=True, validate=validate.Length(1, 100))
    level = fields.String(required=True, validate=validate.Length(1, 20))
    parent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class StartInstanceSchema(Schema):
    """Start a process."""

    process_key = fields.String(required=True, validate=validate.Length(1, 100))
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    claim_first = fields.Boolean(load_default=False, metadata={
        "description": "claim for the caller the first work item they may take (the pages always do)"})


class ResumeInstanceSchema(Schema):
    """Corrections merged into the current data of an instance in error before it runs again."""

    data = fields.Dict(keys=fields.String(), load_default=dict)


AFTER = {"description": "the X-Next-Cursor of the previous page (offset is then ignored)"}


class InstanceQuerySchema(Schema):
    """Filters of the instance list."""

    status = fields.String(validate=validate.OneOf(list(InstanceStatus)))
    process_key = fields.String(validate=validate.Length(max=100))
    business_key = fields.String(validate=validate.Length(max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, INT_MAX))
    after = fields.String(validate=validate.Length(1, 200), metadata=AFTER)


class InstanceSchema(Schema):
    """An instance in lists."""

    id = fields.Integer()
    process_key = computed(fields.String(), lambda i: i.definition.key)
    process_version = computed(fields.Integer(), lambda i: i.definition.version)
    business_key = fields.String(allow_none=True)
    title = fields.String()
    status = fields.String(validate=validate.OneOf(list(InstanceStatus)))
    error_reason = fields.String(allow_none=True, metadata={"description": "why it stopped, when in error (English)"})
    error_code = computed(fields.String(allow_none=True, metadata={
        "description": "the reason's message code (null: not in error, or stopped before reasons had codes)"}),
        lambda i: (i.error_message or {}).get("code"))
    error_params = computed(fields.Dict(allow_none=True, metadata={"description": "the values the reason names"}),
                            lambda i: (i.error_message or {}).get("params"))
    initiating_agency = fields.Nested(AgencyRefSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class WorkItemSchema(Schema):
    """A work item in queues."""

    id = fields.Integer()
    instance_id = fields.Integer()
    process_key = fields.String()
    business_key = computed(fields.String(allow_none=True), lambda w: w.instance.business_key)
    instance_title = computed(fields.String(), lambda w: w.instance.title)
    task_name = fields.String()
    title = fields.String()
    lane = fields.String(allow_none=True)
    candidate_agency = fields.Nested(AgencyRefSchema)
    required_role = fields.String()
    assignee = computed(fields.String(allow_none=True, metadata={"description": "the user name of who claimed it"}),
                        lambda w: w.assignee.username if w.assignee else None)
    status = fields.String(validate=validate.OneOf(list(WorkItemStatus)))
    priority = fields.Integer()
    deadline = fields.String(allow_none=True, metadata={"description": "the period, e.g. `15 working days`"})
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()
    original_due_at = fields.DateTime(allow_none=True)
    extension_count = fields.Integer()
    overdue = computed(fields.Boolean(), lambda w: w.is_overdue(now()))
    overdue_at = fields.DateTime(allow_none=True)
    form_name = fields.String(allow_none=True)
    created_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = computed(fields.String(allow_none=True),
                            lambda w: w.completed_by.username if w.completed_by else None)


class ExtensionSchema(Schema):
    """A recorded extension of a deadline."""

    id = fields.Integer()
    work_item_id = fields.Integer()
    previous_due_at = fields.DateTime()
    new_due_at = fields.DateTime()
    new_due_provisional = fields.Boolean()
    reason = fields.String()
    approved_by = fields.String()
    recorded_by = computed(fields.String(), lambda e: e.recorded_by.username)
    created_at = fields.DateTime()


class WorkItemDetailSchema(WorkItemSchema):
    """A work item with its form, the case data and its deadline extensions."""

    form = fields.Dict(allow_none=True, metadata={"description": "the task form's JSON Schema (none: no form)"})
    data = fields.Dict(metadata={"description": "the case data as of the last step"})
    submitted_data = fields.Dict(allow_none=True)
    draft = fields.Dict(allow_none=True, metadata={"description": "the holder's form saved unfinished (not checked)"})
    draft_saved_at = fields.DateTime(allow_none=True)
    extensions = fields.List(fields.Nested(ExtensionSchema))


class ExtendWorkItemSchema(Schema):
    """A leader's extension of a work item's deadline."""

    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    approved_by = fields.String(validate=validate.Length(max=200),
                                metadata={"description": "the approver as named on record, if not the caller"})
    new_due_at = fields.AwareDateTime(metadata={"description": "an earlier new due time than the full extension"})


class ReminderSchema(Schema):
    """A reminder (催办) sent to the agency holding an overdue work item."""

    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    agency = computed(fields.String(metadata={"description": "the late agency reminded"}), lambda n: n.agency.code)
    work_item_id = fields.Integer()
    created_at = fields.DateTime()


class NoticeSchema(Schema):
    """One notice in a user's list."""

    id = computed(fields.Integer(), lambda pair: pair[0].id)
    kind = computed(fields.String(), lambda pair: pair[0].kind)
    title = computed(fields.String(metadata={"description": "in English; a diagram's own title as written"}),
                     lambda pair: pair[0].title)
    title_code = computed(fields.String(allow_none=True, metadata={
        "description": "the title's message code (null: a diagram's own title, or a notice from before codes)"}),
        lambda pair: (pair[0].title_message or {}).get("code"))
    title_params = computed(fields.Dict(metadata={"description": "the values the title's message names"}),
                            lambda pair: (pair[0].title_message or {}).get("params") or {})
    agency = computed(fields.String(), lambda pair: pair[0].agency.code)
    role = computed(fields.String(allow_none=True, metadata={"description": "only users with this role"}),
                    lambda pair: pair[0].role)
    personal = computed(fields.Boolean(), lambda pair: pair[0].user_id is not None)
    instance_id = computed(fields.Integer(allow_none=True), lambda pair: pair[0].instance_id)
    work_item_id = computed(fields.Integer(allow_none=True), lambda pair: pair[0].work_item_id)
    payload = computed(fields.Dict(), lambda pair: pair[0].payload)
    created_at = computed(fields.DateTime(), lambda pair: pair[0].created_at)
    read = computed(fields.Boolean(), lambda pair: pair[1])


class NoticeQuerySchema(Schema):
    """Which notices to list."""

    unread = fields.Boolean(load_default=False)
    kind = fields.String(validate=validate.Length(max=50))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, INT_MAX))
    after = fields.String(validate=validate.Length(1, 200), metadata=AFTER)


class NoticeCountSchema(Schema):
    """The unread count."""

    unread = fields.Integer()


class EventSchema(Schema):
    """One audit event."""

    id = fields.Integer()
    occurred_at = fields.DateTime()
    type = fields.String()
    actor = computed(fields.String(allow_none=True, metadata={"description": "none: the system"}),
                     lambda e: e.actor.username if e.actor else None)
    agency = computed(fields.String(allow_none=True), lambda e: e.agency.code if e.agency else None)
    work_item_id = fields.Integer(allow_none=True)
    payload = fields.Dict()


class InstanceDetailSchema(InstanceSchema):
    """An instance with its data, open work items and history."""

    data = fields.Dict()
    work_items = fields.List(fields.Nested(WorkItemSchema))
    next_items = fields.List(fields.Nested(WorkItemSchema), metadata={
        "description": "the open work items the caller may take now (claim, or complete their own claim)"})
    history = fields.List(fields.Nested(EventSchema))


class StartedInstanceSchema(InstanceDetailSchema):
    """A case just started, with the first item claimed for the starter if they may take it."""

    claimed_item = fields.Nested(WorkItemSchema, allow_none=True, metadata={
        "description": "the first work item, claimed for the caller at the start (null: the caller takes none)"})


class WorkItemQuerySchema(Schema):
    """Which work items to list."""

    view = fields.String(load_default="queue", validate=validate.OneOf(VIEWS))
    process_key = fields.String(validate=validate.Length(max=100))
    due = fields.String(validate=validate.OneOf(DUE_FILTERS),
                        metadata={"description": "active items of one due status; none among completed ones"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, INT_MAX))
    after = fields.String(validate=validate.Length(1, 200), metadata=AFTER)


class CompleteWorkItemSchema(Schema):
    """The form data of a completed task."""

    data = fields.Dict(keys=fields.String(), required=True)


class SaveDraftSchema(Schema):
    """A task's form as filled in so far: kept with the item, not checked against the form."""

    data = fields.Dict(keys=fields.String(), required=True)


class ReassignWorkItemSchema(Schema):
    """Who gets the item."""

    assignee_id = fields.Integer(required=True, validate=validate.Range(1, INT_MAX))


class CompletedWorkItemSchema(WorkItemSchema):
    """A completed work item, the state of its case, and what the caller may take next in it."""

    instance_status = computed(fields.String(validate=validate.OneOf(list(InstanceStatus))),
                               lambda w: w.instance.status)
    next_items = fields.List(fields.Nested(WorkItemSchema), metadata={
        "description": "the case's new or waiting work items the caller may take now: no further read needed"})
    next_item = fields.Nested(WorkItemSchema, allow_none=True, metadata={
        "description": "where the caller goes on: an item of the case they hold, else the first they may claim"})


class FileDescriptionSchema(Schema):
    """What a form's file field holds: the uploaded file's description."""

    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()


class AttachmentSchema(Schema):
    """A file uploaded in a case; `description` is what a form's file field holds."""

    id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    instance_id = fields.Integer(allow_none=True)
    work_item_id = fields.Integer(allow_none=True)
    uploaded_by = computed(fields.String(), lambda a: a.uploaded_by.username)
    uploaded_at = fields.DateTime()
    description = computed(fields.Nested(FileDescriptionSchema), lambda a: a.describe())
