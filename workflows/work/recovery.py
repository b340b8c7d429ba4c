"""Resuming an instance stopped in error, once an admin has removed the cause.

An instance stops visibly (status `error`, with the reason) when a lane names no agency, a
deadline has no start date, diagram code fails, or the timer worker cannot process it. The
cause lies outside the engine — the directory, the case data, the diagram's code — so the
admin fixes it (adds the agency, corrects a field) and resumes the instance here. Failed
engine tasks run again; work items are created for the READY tasks that have none.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflows.audit import record
from workflows.deployment.definitions import compiled
from workflows.engine.runtime import restore_workflow, run_engine
from workflows.errors import ConflictError, NotFoundError, PermissionDeniedError
from workflows.models import ProcessInstance, User
from workflows.work.steps import ERROR, RUNNING, run_step, storable_input
from workflows.work.work_items import lock_instance


def resume_instance(session: Session, actor: User, instance_id: int,
                    corrections: dict[str, Any] | None = None) -> ProcessInstance:
    """Run an instance in error again, with optional corrections merged into its current data.

    Returns the instance: `running` again, or back in `error` with the new reason if the cause
    is still there (the attempt is audited either way).
    """
    if not actor.has_role("admin"):
        raise PermissionDeniedError("resume_admin_only")
    if session.get(ProcessInstance, instance_id) is None:
        raise NotFoundError("instance_not_found", id=instance_id)
    instance = lock_instance(session, instance_id)
    if instance.status != ERROR:
        raise ConflictError("instance_not_in_error", status=instance.status)
    fixes = storable_input(corrections or {})
    workflow = restore_workflow(compiled(session, instance.definition).specs(), instance.state)
    failed = workflow.get_tasks(state=TaskState.ERROR)
    for task in failed:  # back to runnable, with the data it failed on plus the corrections
        workflow.reset_from_task_id(task.id, {**task.data, **fixes})
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        task.data.update(fixes)
    record(session, "instance.resumed", actor=actor, instance=instance,
           payload={"previous_error": instance.error_reason, "corrections": fixes,
                    "retried_tasks": [task.task_spec.bpmn_id for task in failed]})
    instance.status, instance.error_reason, instance.error_message = RUNNING, None, None
    try:
        run_step(session, instance, workflow, actor, lambda deadline: run_engine(workflow, deadline))
        session.flush()
    except StaleDataError as err:
        raise ConflictError("instance_changed") from err
    return instance
