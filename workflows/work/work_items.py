"""Claiming, releasing, reassigning and completing work items."""

from __future__ import annotations

from typing import Any, BinaryIO

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session, joinedload, undefer
from sqlalchemy.orm.exc import StaleDataError

from workflows.audit import record
from workflows.clock import now
from workflows.deployment.definitions import compiled
from workflows.directory.choices import agency_choice_errors, with_agency_choices
from workflows.engine.runtime import complete_task, find_task, restore_workflow
from workflows.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from workflows.messages import message
from workflows.models import Agency, Attachment, ProcessInstance, User, WorkItem, WorkItemSupervision
from workflows.models.work_item import CANCELLED, CLAIMED, COMPLETED, OPEN
from workflows.work.attachments import FileStore, check_submitted_files, store_upload
from workflows.work.instances import instance_work_items
from workflows.work.queues import SHOWN
from workflows.work.rows import update_row
from workflows.work.steps import RUNNING, run_step, storable_input


def get_work_item(session: Session, user: User, item_id: int) -> WorkItem:
    """Load a work item the user's agency may see (404/403)."""
    item = session.get(WorkItem, item_id, options=SHOWN)  # with what a response shows of it
    if item is None:
        raise NotFoundError("work_item_not_found", id=item_id)
    if item.candidate_agency_id != user.agency_id and not user.oversees and not supervises(session, user, item):
        raise PermissionDeniedError("work_item_other_agency")
    return item


def supervises(session: Session, user: User, item: WorkItem) -> bool:
    """The user's agency was told the item missed its deadline (escalateTo), so it watches the item."""
    return session.get(WorkItemSupervision, (item.id, user.agency_id)) is not None


def check_in_agency(user: User, item: WorkItem) -> None:
    """Refuse a user of another agency than the item's."""
    if not item.in_agency_of(user):
        raise PermissionDeniedError("work_item_other_agency")


def _check_may_act(user: User, item: WorkItem) -> None:
    """Refuse a user the agency-and-role rule (WorkItem.may_act) does not allow, saying which part failed."""
    check_in_agency(user, item)
    if not item.may_act(user):
        raise PermissionDeniedError("work_item_needs_role", role=item.required_role)


def _check_holds(user: User, item: WorkItem, *, drafting: bool = False) -> None:
    """Only the user who claimed an item submits it, saves its draft or uploads files for it."""
    if item.status != CLAIMED or item.assignee_id != user.id:
        if item.status in (COMPLETED, CANCELLED):
            raise ConflictError("work_item_status", id=item.id, status=item.status)
        if drafting:
            raise ConflictError("claim_before_drafting")
        raise ConflictError("claim_before_completing")


def attach_file(session: Session, store: FileStore, actor: User, item: WorkItem, stream: BinaryIO,
                filename: str | None, content_type: str | None) -> Attachment:
    """Store a file for the item the actor holds; from now on it belongs to the item's case.

    Who may upload is checked before a byte is written (a refused upload leaves nothing on disk).
    """
    _check_may_act(actor, item)
    _check_holds(actor, item)
    return store_upload(session, store, actor, stream, filename, content_type, item=item)


_ITEM_COLUMNS = [attr.key for attr in inspect(WorkItem).column_attrs]


def lock_for_change(session: Session, item: WorkItem, *, load_instance: bool = False) -> ProcessInstance | None:
    """Take the lock every transition of an item or its instance takes, then read the item as it now is.

    The lock is the instance row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE holds
    the whole database): claims, releases, reassignments, completions, extensions, resumes and the
    timer worker all take it first and only then check the item's state, so of two conflicting
    requests the second sees what the first committed and is refused with a ConflictError (409).
    Transitions that leave the engine alone lock the row without loading its state.
    """
    if load_instance:
        instance = lock_instance(session, item.instance_id)
    else:
        instance = None
        session.execute(_LOCK_ROW, {"instance_id": item.instance_id})
    # A statement of its own: under READ COMMITTED only a statement begun after the lock was granted
    # sees what the previous holder committed (a join in the locking statement would still show the
    # item as it was when that statement began; the race tests catch exactly that).
    session.refresh(item, _ITEM_COLUMNS)  # its columns only: the instance and people it shows stay loaded
    return instance


def _check_status(item: WorkItem, *allowed: str) -> None:
    """Refuse a transition from a status it does not start from (someone else moved the item first)."""
    if item.status not in allowed:
        if item.status == CLAIMED and item.assignee:
            raise ConflictError("work_item_held", id=item.id, status=item.status, holder=item.assignee.display_name)
        raise ConflictError("work_item_status", id=item.id, status=item.status)


def claim(session: Session, actor: User, item: WorkItem) -> WorkItem:
    """Take an open item; of two simultaneous claims exactly one wins, the other gets ConflictError."""
    _check_may_act(actor, item)
    lock_for_change(session, item)
    _check_status(item, OPEN)
    item.status, item.assignee_id, item.claimed_at = CLAIMED, actor.id, now()
    update_row(session, item)
    record(session, "work_item.claimed", actor=actor, work_item=item)
    return item


def release(session: Session, actor: User, item: WorkItem) -> WorkItem:
    """Return a claimed item to the agency queue: its assignee, or a leader of the agency, may."""
    check_in_agency(actor, item)
    lock_for_change(session, item)
    if item.status != CLAIMED:
        raise ConflictError("work_item_not_claimed", id=item.id, status=item.status)
    if not item.may_release(actor):
        raise PermissionDeniedError("release_not_allowed")
    previous = item.assignee_id
    item.status, item.assignee_id, item.claimed_at = OPEN, None, None
    update_row(session, item)
    record(session, "work_item.released", actor=actor, work_item=item,
           payload={"previous_assignee": previous})
    return item


def reassign(session: Session, actor: User, item: WorkItem, assignee: User) -> WorkItem:
    """A leader gives an active item to another user of the same agency holding the role."""
    check_in_agency(actor, item)
    if not actor.has_role("leader"):
        raise PermissionDeniedError("reassign_leader_only")
    if not item.in_agency_of(assignee) or not assignee.active:
        raise InvalidDataError("assignee_not_of_agency", {"assignee_id": [message("field_not_active_user")]})
    if not item.may_act(assignee):
        lacks = message("field_lacks_role", role=item.required_role)
        raise InvalidDataError("assignee_lacks_role", {"assignee_id": [lacks]},
                               role=item.required_role)
    lock_for_change(session, item)
    _check_status(item, OPEN, CLAIMED)
    previous = item.assignee_id
    item.status, item.assignee_id, item.claimed_at = CLAIMED, assignee.id, now()
    update_row(session, item)
    record(session, "work_item.reassigned", actor=actor, work_item=item,
           payload={"previous_assignee": previous, "assignee": assignee.id})
    return item


def save_draft(session: Session, actor: User, item: WorkItem, data: dict[str, Any]) -> WorkItem:
    """Keep the holder's unfinished form with the item (not validated); the page opens with it again.

    A change of the item like any other: the agency-and-role rule, the lock, then only the holder of
    a claimed item saves (a completed one, or another's claim, is a ConflictError: 409).
    """
    _check_may_act(actor, item)
    data = storable_input(data)
    lock_for_change(session, item)
    _check_holds(actor, item, drafting=True)
    item.draft, item.draft_saved_at = data, now()
    update_row(session, item)
    record(session, "work_item.draft_saved", actor=actor, work_item=item, payload={"fields": sorted(data)})
    return item


def next_items(session: Session, user: User, instance: ProcessInstance) -> list[WorkItem]:
    """The instance's active items the user may take now, so a client needs no further read to go on."""
    return [item for item in instance_work_items(session, instance, active_only=True) if item.may_take_now(user)]


def next_item(user: User, takeable: list[WorkItem]) -> WorkItem | None:
    """Where the user goes on in the case: an item they hold, else the first they may claim."""
    held = [item for item in takeable if item.status == CLAIMED and item.assignee_id == user.id]
    return (held or takeable or [None])[0]


def form_schema(session: Session, item: WorkItem, *, choices: bool = False) -> dict[str, Any] | None:
    """The JSON Schema of the item's form, if the task has one (`choices`: `x-agencies` fields list their agencies)."""
    if not item.form_name:
        return None
    schema = compiled(session, item.instance.definition).forms.get(item.form_name)
    return with_agency_choices(session, schema, item.candidate_agency) if choices else schema


def validate_form(session: Session, item: WorkItem, data: dict[str, Any]) -> None:
    """Check submitted data against the task's JSON Schema; errors are keyed by field path."""
    if not item.form_name:
        return
    content = compiled(session, item.instance.definition)
    errors = content.form_errors(item.form_name, data)
    for path, messages in agency_choice_errors(session, content.forms.get(item.form_name), data,
                                               item.candidate_agency).items():
        errors.setdefault(path, []).extend(messages)  # an agency must be one the page offered
    if errors:
        raise InvalidDataError("form_has_errors", errors)
    check_submitted_files(session, item.instance_id, content.forms.get(item.form_name), data)


def complete(session: Session, actor: User, item: WorkItem, data: dict[str, Any]) -> WorkItem:
    """Validate, merge the data, run the engine on, and store everything in the caller's transaction."""
    _check_may_act(actor, item)
    data = storable_input(data)
    instance = lock_for_change(session, item, load_instance=True)
    _check_holds(actor, item)
    validate_form(session, item, data)
    if instance.status != RUNNING:
        raise not_running(instance)
    workflow = restore_workflow(compiled(session, instance.definition).specs(), instance.state)
    task = find_task(workflow, item.engine_task_id)
    if task is None or task.state != TaskState.READY:
        raise ConflictError("task_not_waiting")
    _finish(session, actor, instance, item, workflow, task, data)
    return item


def not_running(instance: ProcessInstance) -> ConflictError:
    """The refusal to act in a case that is not running; a stopped case says why it stopped."""
    reason = instance.stop_reason
    if reason is None:
        return ConflictError("instance_not_running", status=instance.status)
    return ConflictError("instance_stopped_because", status=instance.status, reason=reason)


# Built once: composing a SELECT ... FOR UPDATE costs more than running it on SQLite. The initiating
# agency and its type come in the same query: every lane resolution of the step reads them.
_LOCK_INSTANCE = (select(ProcessInstance).where(ProcessInstance.id == bindparam("instance_id"))
                  .options(undefer(ProcessInstance.state),
                           joinedload(ProcessInstance.initiating_agency).joinedload(Agency.type))
                  .with_for_update(of=ProcessInstance).execution_options(populate_existing=True))


_LOCK_ROW = (select(ProcessInstance.id).where(ProcessInstance.id == bindparam("instance_id"))
             .with_for_update())


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    """Load the instance row for update (PostgreSQL blocks other writers; the version column catches the rest)."""
    return session.scalars(_LOCK_INSTANCE, {"instance_id": instance_id}).one()


def _finish(session: Session, actor: User, instance: ProcessInstance, item: WorkItem, workflow: Any,
            task: Any, data: dict[str, Any]) -> None:
    """Run the task, then persist the engine's progress or the error it met."""
    item.status, item.completed_at, item.completed_by_id, item.submitted_data = COMPLETED, now(), actor.id, data
    item.draft, item.draft_saved_at = None, None  # the submission replaces whatever was saved unfinished
    update_row(session, item)
    record(session, "work_item.completed", actor=actor, instance=instance, work_item=item, payload={"data": data})
    try:  # the step writes the instance against the version it locked: a concurrent change raises StaleDataError
        run_step(session, instance, workflow, actor, lambda deadline: complete_task(workflow, task, data, deadline))
        session.flush()  # what the ORM still holds (notices, an error mark), checked against the version too
    except StaleDataError as err:
        raise ConflictError("instance_changed") from err
