"""Input and output schemas of the JSON API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, validate

from workflows.accounts.passwords import MAX_LENGTH as PASSWORD_MAX
from workflows.clock import now
from workflows.db import INT_MAX  # every integer an input names is bounded so (tests/test_hostile_input.py)
from workflows.deadlines.periods import Period
from workflows.engine.settings import DEFAULT_EXTENSION_ROLE, DEFAULT_MAX_EXTENSIONS, TaskInfo
from workflows.models.process import InstanceStatus
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
    type = fields.Function(lambda a: a.type.code)
    jurisdiction = fields.String()
    level = fields.String()
    parent = fields.Function(lambda a: a.parent.code if a.parent else None)
    active = fields.Boolean()


class CreateAgencySchema(Schema):
    """A new agency."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    type = fields.String(required=True, validate=validate.Length(1, 64))
    jurisdiction = fields.String(required=True, validate=validate.Length(1, 100))
    level = fields.String(required=True, validate=validate.Length(1, 20))
    parent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class LaneSchema(Schema):
    """A lane of a process: the agency type it stands for and the data field that may name its agency."""

    id = fields.String()
    name = fields.String()
    agency_type = fields.String(allow_none=True)
    agency_from = fields.String(allow_none=True)


def _period(period: Period | None) -> str | None:
    """A period as its English text ('1 month'), as a diagram may write it."""
    return str(period) if period is not None else None


def _deadline_settings(task: TaskInfo) -> dict[str, Any]:
    """A task's deadline settings, listed beside its other settings as the diagram properties are."""
    rule = task.deadline
    extension = rule.extension if rule is not None else None
    return {
        "deadline": _period(rule.period) if rule else None, "deadline_from": rule.counts_from if rule else None,
        "remind_before": _period(rule.remind_before) if rule else None,
        "escalate_to": [str(r) for r in rule.escalate_to] if rule else [],
        "extension": _period(extension.period) if extension else None,
        "extension_role": extension.role if extension else DEFAULT_EXTENSION_ROLE,
        "max_extensions": extension.max_count if extension else DEFAULT_MAX_EXTENSIONS,
    }


class TaskSettingsSchema(Schema):
    """A user task's settings: numbers as numbers, periods as text (`15 working days`, `1 month`)."""

    id = fields.String()
    name = fields.String()
    lane = fields.String()
    role = fields.String()
    form = fields.String(allow_none=True)
    priority = fields.Integer()
    copy_to = fields.List(fields.String())

    @post_dump(pass_original=True)
    def _add_deadline(self, data: dict[str, Any], task: TaskInfo, **_: Any) -> dict[str, Any]:
        """Add the deadline settings."""
        return {**data, **_deadline_settings(task)}


class ProcessDefinitionSchema(Schema):
    """One deployed version of a process with its settings (a workflows.deployment.catalog.DeployedVersion)."""

    id = fields.Integer(attribute="definition.id")
    key = fields.String(attribute="definition.key")
    version = fields.Integer(attribute="definition.version")
    name = fields.String(attribute="definition.name")
    checksum = fields.String(attribute="definition.checksum")
    deployed_at = fields.DateTime(attribute="definition.deployed_at")
    deployed_by = fields.Function(lambda d: d.definition.deployed_by.username if d.definition.deployed_by else None)
    forms = fields.Function(lambda d: sorted(d.forms))
    tasks = fields.Function(lambda d: TaskSettingsSchema(many=True).dump(d.info.tasks.values()))
    lanes = fields.Function(lambda d: LaneSchema(many=True).dump(d.info.lanes.values()))
    # What POST /process-instances accepts as `data`: the start form's JSON Schema (none: no data).
    start_form = fields.Function(lambda d: d.info.start_form)
    start_schema = fields.Function(lambda d: d.forms.get(d.info.start_form or ""))


class DeploymentSchema(Schema):
    """The result of an upload."""

    created = fields.Boolean()
    definition = fields.Nested(ProcessDefinitionSchema)


class StartInstanceSchema(Schema):
    """Start a process."""

    process_key = fields.String(required=True, validate=validate.Length(1, 100))
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    data = fields.Dict(keys=fields.String(), load_default=dict)


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
    process_key = fields.Function(lambda i: i.definition.key)
    process_version = fields.Function(lambda i: i.definition.version)
    business_key = fields.String()
    title = fields.String()
    status = fields.String()
    error_reason = fields.String()
    initiating_agency = fields.Nested(AgencyRefSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime()


class WorkItemSchema(Schema):
    """A work item in queues."""

    id = fields.Integer()
    instance_id = fields.Integer()
    process_key = fields.String()
    business_key = fields.Function(lambda w: w.instance.business_key)
    instance_title = fields.Function(lambda w: w.instance.title)
    task_name = fields.String()
    title = fields.String()
    lane = fields.String()
    candidate_agency = fields.Nested(AgencyRefSchema)
    required_role = fields.String()
    assignee = fields.Function(lambda w: w.assignee.username if w.assignee else None)
    status = fields.String()
    priority = fields.Integer()
    deadline = fields.String()
    due_at = fields.DateTime()
    due_provisional = fields.Boolean()
    original_due_at = fields.DateTime()
    extension_count = fields.Integer()
    overdue = fields.Function(lambda w: w.is_overdue(now()))
    overdue_at = fields.DateTime()
    form_name = fields.String()
    created_at = fields.DateTime()
    claimed_at = fields.DateTime()
    completed_at = fields.DateTime()
    completed_by = fields.Function(lambda w: w.completed_by.username if w.completed_by else None)


class ExtensionSchema(Schema):
    """A recorded extension of a deadline."""

    id = fields.Integer()
    work_item_id = fields.Integer()
    previous_due_at = fields.DateTime()
    new_due_at = fields.DateTime()
    new_due_provisional = fields.Boolean()
    reason = fields.String()
    approved_by = fields.String()
    recorded_by = fields.Function(lambda e: e.recorded_by.username)
    created_at = fields.DateTime()


class WorkItemDetailSchema(WorkItemSchema):
    """A work item with its form, the case data and its deadline extensions."""

    form = fields.Dict(allow_none=True, metadata={"description": "the task form's JSON Schema (none: no form)"})
    data = fields.Dict(metadata={"description": "the case data as of the last step"})
    submitted_data = fields.Dict(allow_none=True)
    extensions = fields.List(fields.Nested(ExtensionSchema))


class ExtendWorkItemSchema(Schema):
    """A leader's extension of a work item's deadline."""

    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    approved_by = fields.String(validate=validate.Length(max=200),
                                metadata={"description": "the approver as named on record, if not the caller"})
    new_due_at = fields.AwareDateTime(metadata={"description": "an earlier new due time than the full extension"})


class NoticeSchema(Schema):
    """One notice in a user's list."""

    id = fields.Function(lambda pair: pair[0].id)
    kind = fields.Function(lambda pair: pair[0].kind)
    title = fields.Function(lambda pair: pair[0].title)
    agency = fields.Function(lambda pair: pair[0].agency.code)
    role = fields.Function(lambda pair: pair[0].role)
    personal = fields.Function(lambda pair: pair[0].user_id is not None)
    instance_id = fields.Function(lambda pair: pair[0].instance_id)
    work_item_id = fields.Function(lambda pair: pair[0].work_item_id)
    payload = fields.Function(lambda pair: pair[0].payload)
    created_at = fields.Function(lambda pair: pair[0].created_at.isoformat())
    read = fields.Function(lambda pair: pair[1])


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
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    agency = fields.Function(lambda e: e.agency.code if e.agency else None)
    work_item_id = fields.Integer()
    payload = fields.Dict()


class InstanceDetailSchema(InstanceSchema):
    """An instance with its data, open work items and history."""

    data = fields.Dict()
    work_items = fields.List(fields.Nested(WorkItemSchema))
    next_items = fields.List(fields.Nested(WorkItemSchema), metadata={
        "description": "the open work items the caller may take now (claim, or complete their own claim)"})
    history = fields.List(fields.Nested(EventSchema))


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


class ReassignWorkItemSchema(Schema):
    """Who gets the item."""

    assignee_id = fields.Integer(required=True, validate=validate.Range(1, INT_MAX))


class CompletedWorkItemSchema(WorkItemSchema):
    """A completed work item, the state of its case, and what the caller may take next in it."""

    instance_status = fields.Function(lambda w: w.instance.status)
    next_items = fields.List(fields.Nested(WorkItemSchema), metadata={
        "description": "the case's new or waiting work items the caller may take now: no further read needed"})


class AttachmentSchema(Schema):
    """A file uploaded in a case; `description` is what a form's file field holds."""

    id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    instance_id = fields.Integer(allow_none=True)
    work_item_id = fields.Integer(allow_none=True)
    uploaded_by = fields.Function(lambda a: a.uploaded_by.username)
    uploaded_at = fields.DateTime()
    description = fields.Function(lambda a: a.describe())
