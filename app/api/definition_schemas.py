"""Output schemas of deployed processes: a version with its lanes, tasks and forms, and a deployment's result."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from app.api.computed import computed
from workflows.deadlines.periods import Period
from workflows.engine.settings import DEFAULT_EXTENSION_ROLE, DEFAULT_MAX_EXTENSIONS, TaskInfo


class LaneSchema(Schema):
    """A lane of a process: the agency type it stands for and the data field that may name its agency."""

    id = fields.String()
    name = fields.String()
    agency_type = fields.String(allow_none=True)
    agency_from = fields.String(allow_none=True)


def _period(period: Period | None) -> str | None:
    """A period as its English text ('1 month'), as a diagram may write it."""
    return str(period) if period is not None else None


def _setting(read: Any) -> fields.String:
    """A deadline setting as text, read from the task (none when it has no such setting)."""
    return computed(fields.String(allow_none=True), read)


class TaskSettingsSchema(Schema):
    """A user task's settings: numbers as numbers, periods as text (`15 working days`, `1 month`).

    The deadline settings are listed beside the others, as the diagram properties are; none without a deadline.
    """

    id = fields.String()
    name = fields.String()
    lane = fields.String()
    role = fields.String()
    form = fields.String(allow_none=True)
    priority = fields.Integer()
    copy_to = fields.List(fields.String())
    deadline = _setting(lambda t: _period(t.deadline.period) if t.deadline else None)
    deadline_from = _setting(lambda t: t.deadline.counts_from if t.deadline else None)
    remind_before = _setting(lambda t: _period(t.deadline.remind_before) if t.deadline else None)
    escalate_to = computed(fields.List(fields.String()),
                           lambda t: [str(r) for r in t.deadline.escalate_to] if t.deadline else [])
    extension = _setting(lambda t: _period(_extension(t).period) if _extension(t) else None)
    extension_role = computed(fields.String(),
                              lambda t: _extension(t).role if _extension(t) else DEFAULT_EXTENSION_ROLE)
    max_extensions = computed(fields.Integer(),
                              lambda t: _extension(t).max_count if _extension(t) else DEFAULT_MAX_EXTENSIONS)


def _extension(task: TaskInfo) -> Any:
    """The task's extension rule, if its deadline has one."""
    return task.deadline.extension if task.deadline is not None else None


class ProcessDefinitionSchema(Schema):
    """One deployed version of a process with its settings (a workflows.deployment.catalog.DeployedVersion)."""

    id = fields.Integer(attribute="definition.id")
    key = fields.String(attribute="definition.key")
    version = fields.Integer(attribute="definition.version")
    name = fields.String(attribute="definition.name")
    checksum = fields.String(attribute="definition.checksum")
    deployed_at = fields.DateTime(attribute="definition.deployed_at")
    deployed_by = computed(fields.String(allow_none=True, metadata={"description": "none: the set-up script"}),
                           lambda d: d.definition.deployed_by.username if d.definition.deployed_by else None)
    forms = computed(fields.List(fields.String()), lambda d: sorted(d.forms))
    tasks = computed(fields.List(fields.Nested(TaskSettingsSchema)), lambda d: list(d.info.tasks.values()))
    lanes = computed(fields.List(fields.Nested(LaneSchema)), lambda d: list(d.info.lanes.values()))
    start_form = computed(fields.String(allow_none=True, metadata={
        "description": "the start form's file name (none: the process takes no start data)"}),
        lambda d: d.info.start_form)
    start_schema = computed(fields.Dict(allow_none=True, metadata={
        "description": "what POST /process-instances accepts as `data`: the start form's JSON Schema"}),
        lambda d: d.forms.get(d.info.start_form or ""))


class DeploymentWarningSchema(Schema):
    """Something deployed that is probably not what was meant, e.g. an uploaded form nothing references."""

    element = fields.String(allow_none=True, metadata={"description": "the element or form file it concerns"})
    name = fields.String(allow_none=True, metadata={"description": "the element's name in the diagram, if it has one"})
    code = fields.String(metadata={"description": "the message's code"})
    params = fields.Dict(metadata={"description": "the values the message names"})
    message = fields.String(metadata={"description": "the message in English"})


class DeploymentSchema(Schema):
    """The result of an upload."""

    created = fields.Boolean(metadata={"description": "false: an identical version was deployed before"})
    definition = fields.Nested(ProcessDefinitionSchema)
    warnings = fields.List(fields.Nested(DeploymentWarningSchema), metadata={
        "description": "deployed nevertheless: e.g. uploaded forms that no task or start event references"})
