"""Starting instances and reading them as a given user may see them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, BinaryIO

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session, defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from workflows.audit import record, write_pending
from workflows.deployment.definitions import CompiledDefinition, compiled
from workflows.deployment.deploy import latest_definition
from workflows.directory.choices import agency_choice_errors, with_agency_choices
from workflows.engine.runtime import new_workflow, run_engine
from workflows.engine.settings import ProcessInfo
from workflows.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from workflows.messages import message
from workflows.models import (
    Agency,
    Attachment,
    AuditEvent,
    InstanceParticipant,
    ProcessDefinition,
    ProcessInstance,
    User,
    WorkItem,
)
from workflows.models.process import InstanceStatus
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.paging import KEYSET, Page, by_keyset, decode
from workflows.work.attachments import FileStore, bind_start_files, store_upload
from workflows.work.case_numbers import check_unused
from workflows.work.participation import add_participant, can_view
from workflows.work.queues import PEOPLE
from workflows.work.rows import insert_row
from workflows.work.steps import ERROR, RUNNING, run_step, storable_input


def may_start(user: User, info: ProcessInfo) -> bool:
    """Whether the user's agency may start the process."""
    allowed = info.start_agency_types
    return not allowed or user.agency.type.code in allowed


def _check_may_start(user: User, info: ProcessInfo) -> None:
    """Refuse a start by an agency of another type than the start lane's."""
    if not may_start(user, info):
        raise PermissionDeniedError("start_agency_types", types=sorted(info.start_agency_types))


def _check_start_data(content: CompiledDefinition, data: dict[str, Any]) -> None:
    """Start data must meet the start event's form; a process whose start declares none takes none.

    Start data steers the case like a task's submission does (an agency named in it takes a lane),
    so it is held to a form like one; nothing enters an instance unchecked.
    """
    form = content.info.start_form
    if form is None:
        if data:
            raise InvalidDataError("no_start_form", {name: [message("field_not_start_field")] for name in data})
        return
    errors = content.form_errors(form, data)
    if errors:
        raise InvalidDataError("start_data_errors", errors)


def start_schema(session: Session, key: str, agency: Agency | None = None) -> dict[str, Any] | None:
    """The JSON Schema of the latest version's start form (None: the process takes no start data).

    For an agency, fields hinted `x-agencies` list the agencies it may choose (workflows.directory.choices).
    """
    definition = latest_definition(session, key)
    if definition is None:
        return None
    content = compiled(session, definition)
    form = content.info.start_form
    schema = content.forms.get(form) if form else None
    return with_agency_choices(session, schema, agency) if agency is not None else schema


def _startable(session: Session, actor: User, key: str) -> tuple[ProcessDefinition, CompiledDefinition]:
    """The latest version of a process the actor's agency may start (404, 403)."""
    definition = latest_definition(session, key)
    if definition is None:
        raise NotFoundError("process_not_deployed", key=key)
    content = compiled(session, definition)
    _check_may_start(actor, content.info)
    return definition, content


def upload_start_file(session: Session, store: FileStore, actor: User, key: str, stream: BinaryIO,
                      filename: str | None, content_type: str | None) -> Attachment:
    """Store a file for a process's start form before the case exists; the case started with it takes it.

    Only an agency that may start the process uploads, checked before a byte is written.
    """
    _startable(session, actor, key)
    return store_upload(session, store, actor, stream, filename, content_type)


def start_instance(session: Session, actor: User, key: str, data: dict[str, Any] | None = None,
                   business_key: str | None = None, title: str | None = None) -> ProcessInstance:
    """Start the latest version of a process for the actor's agency and run it to its first wait."""
    definition, content = _startable(session, actor, key)
    check_unused(session, key, business_key)
    data = storable_input(data or {}, "start_data_errors")
    _check_start_data(content, data)
    choice_errors = agency_choice_errors(session, content.forms.get(content.info.start_form or ""), data,
                                         actor.agency)
    if choice_errors:
        raise InvalidDataError("start_data_errors", choice_errors)
    workflow = new_workflow(content.specs())
    workflow.data.update(data)
    for task in workflow.get_tasks():  # the start data is the first task's input
        task.data.update(workflow.data)
    instance = insert_row(session, ProcessInstance(
        definition_id=definition.id, business_key=business_key, status=RUNNING,
        title=title or (f"{definition.name} {business_key}" if business_key else definition.name),
        initiating_agency_id=actor.agency_id, initiating_user_id=actor.id, state={},
    ))
    bind_start_files(session, actor, instance, content.forms.get(content.info.start_form or ""), data)
    add_participant(session, instance, actor.agency, "initiator")
    record(session, "instance.started", actor=actor, instance=instance,
           payload={"key": key, "version": definition.version, "business_key": business_key})
    run_step(session, instance, workflow, actor, lambda deadline: run_engine(workflow, deadline))
    session.flush()
    return instance


def get_instance(session: Session, user: User, instance_id: int) -> ProcessInstance:
    """Load an instance the user may see (404 if missing, 403 if not theirs)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFoundError("instance_not_found", id=instance_id)
    if not can_view(session, user, instance):
        raise PermissionDeniedError("instance_other_agency")
    return instance


# Statuses few instances have at any time: their list is read from the status index, each instance
# checked for the agency's participation, rather than walking all the agency's participations.
FEW = frozenset({ERROR, InstanceStatus.CANCELLED})


def _visible(stmt: Select, user: User, status: str | None = None, key: str | None = None,
             business_key: str | None = None, keys: Collection[str] | None = None) -> Select:
    """The statement narrowed to the instances the user sees, with optional filters.

    An agency's instances are joined through its own participations (read by the index on agency and
    instance), never gathered as `id IN (every instance it ever took part in)`; instances of a rare
    status are read by status and checked for a participation each (SQLite's statistics cannot tell
    a rare status from a common one, so the statement itself says which index leads).
    """
    if not user.oversees:
        takes_part = and_(InstanceParticipant.instance_id == ProcessInstance.id,
                          InstanceParticipant.agency_id == user.agency_id)
        stmt = stmt.where(exists().where(takes_part)) if status in FEW else stmt.join(InstanceParticipant, takes_part)
    if status:
        stmt = stmt.where(ProcessInstance.status == status)
    if key:
        stmt = stmt.where(ProcessInstance.definition_id.in_(select(ProcessDefinition.id)
                                                             .where(ProcessDefinition.key == key)))
    if business_key:
        stmt = stmt.where(ProcessInstance.business_key == business_key)
    if keys is not None:
        stmt = stmt.where(ProcessInstance.definition_id.in_(select(ProcessDefinition.id)
                                                             .where(ProcessDefinition.key.in_(keys))))
    return stmt


def _newest_first(user: User, status: str | None) -> Any:
    """The instance id of the index a list walks: the participation's, or the instance's own."""
    return ProcessInstance.id if user.oversees or status in FEW else InstanceParticipant.instance_id


# What a list shows: never the engine state; the initiating agency's name, not its type.
_LISTED = (defer(ProcessInstance.state), joinedload(ProcessInstance.initiating_agency).lazyload(Agency.type))


def _agency_page(user: User, before: int | None, offset: int, limit: int) -> Select:
    """An agency's unfiltered list: a page of its participations first, then only their instances.

    Cut before the join, no plan can walk the instance table until it meets enough of the agency's.
    """
    page = select(InstanceParticipant.instance_id).where(InstanceParticipant.agency_id == user.agency_id)
    if before is not None:
        page = page.where(InstanceParticipant.instance_id < before)
    page = page.order_by(InstanceParticipant.instance_id.desc()).offset(offset).limit(limit).subquery()
    return (select(ProcessInstance).options(*_LISTED).join(page, page.c.instance_id == ProcessInstance.id)
            .order_by(page.c.instance_id.desc()))


def page_instances(session: Session, user: User, *, status: str | None = None, key: str | None = None,
                   business_key: str | None = None, limit: int = 50, offset: int = 0,
                   after: str | None = None, keys: Collection[str] | None = None) -> Page[ProcessInstance]:
    """Instances visible to the user, newest first, with optional filters (`keys`: of these processes only)."""
    before = decode(after, KEYSET, (int,))[0] if after is not None else None
    skip = offset if after is None else 0
    if not (user.oversees or status or key or business_key or keys is not None):
        stmt = _agency_page(user, before, skip, limit + 1)
    else:
        order = _newest_first(user, status)
        stmt = _visible(select(ProcessInstance).options(*_LISTED), user, status, key, business_key, keys)
        if before is not None:
            stmt = stmt.where(order < before)
        stmt = stmt.order_by(order.desc()).offset(skip).limit(limit + 1)
    return by_keyset(list(session.scalars(stmt)), limit, lambda instance: (instance.id,))


def list_instances(session: Session, user: User, *, status: str | None = None, key: str | None = None,
                   business_key: str | None = None, limit: int = 50, offset: int = 0) -> list[ProcessInstance]:
    """Instances visible to the user, newest first, with optional filters."""
    return page_instances(session, user, status=status, key=key, business_key=business_key, limit=limit,
                          offset=offset).rows


def count_instances(session: Session, user: User, *, status: str | None = None) -> int:
    """How many instances the user sees (of a status)."""
    return session.scalar(_visible(select(func.count()).select_from(ProcessInstance), user, status)) or 0


def instance_data(instance: ProcessInstance) -> dict[str, Any]:
    """The case data as of the last step."""
    return dict((instance.state or {}).get("xietong_data", {}))


def instance_work_items(session: Session, instance: ProcessInstance, active_only: bool = False) -> list[WorkItem]:
    """The instance's work items in creation order, with the agencies and users they show."""
    stmt = select(WorkItem).where(WorkItem.instance_id == instance.id).options(*PEOPLE)
    if active_only:
        stmt = stmt.where(WorkItem.status.in_(ACTIVE_STATUSES))
    items = list(session.scalars(stmt.order_by(WorkItem.id)))
    for item in items:  # their instance is this one: no lazy load, and the items keep it in the identity map
        set_committed_value(item, "instance", instance)
    return items


def instance_events(session: Session, instance: ProcessInstance) -> list[AuditEvent]:
    """The instance's audit trail, oldest first (with what the open transaction recorded: see write_pending)."""
    write_pending(session)
    return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id)
                                .order_by(AuditEvent.id)))
