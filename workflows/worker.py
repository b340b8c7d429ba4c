"""The timer worker: fires due BPMN timers and acts on work-item deadlines, one instance per transaction.

Several workers may run at once against PostgreSQL: each takes the next due instance with
`FOR UPDATE SKIP LOCKED`, so no timer fires twice. SQLite serialises writers (BEGIN IMMEDIATE).
A failure in one instance is rolled back and the instance is marked in error with the reason;
the others go on.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.clock import now
from workflows.definitions import compiled
from workflows.engine.runtime import restore_workflow, run_engine
from workflows.escalation import watch_deadlines
from workflows.models import ProcessInstance
from workflows.progress import RUNNING, active_items, mark_error, run_step, schedule
from workflows.work_items import lock_instance

log = logging.getLogger(__name__)


def _next_due(session: Session, at: datetime, skip: set[int]) -> ProcessInstance | None:
    """Lock the running instance whose next timer is most overdue (one indexed query)."""
    stmt = (select(ProcessInstance)
            .where(ProcessInstance.status == RUNNING, ProcessInstance.next_timer_due_at < at)
            .order_by(ProcessInstance.next_timer_due_at, ProcessInstance.id).limit(1)
            .with_for_update(skip_locked=True, of=ProcessInstance))
    if skip:
        stmt = stmt.where(ProcessInstance.id.not_in(skip))
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


def fire_instance(session: Session, instance: ProcessInstance, at: datetime) -> None:
    """Fire what is due in one instance: engine timers first (they may close a task), then deadlines."""
    if instance.engine_timer_due_at is not None and instance.engine_timer_due_at < at:
        workflow = restore_workflow(compiled(session, instance.definition).specs(), instance.state)
        if not run_step(session, instance, workflow, None, lambda deadline: run_engine(workflow, deadline)):
            return
        record(session, "instance.timers_fired", instance=instance, payload={"at": at.isoformat()})
    items = active_items(session, instance)
    if instance.status == RUNNING:
        watch_deadlines(session, instance, items, at)
    schedule(instance, items)


def _mark_broken(session: Session, instance_id: int, err: Exception) -> None:
    """Stop an instance whose timers could not be processed, in a transaction of its own."""
    reason = f"timer processing failed: {type(err).__name__}: {err}"[:2000]
    try:
        instance = lock_instance(session, instance_id)
        mark_error(session, instance, reason, None)
        session.commit()
    except Exception:  # the database itself failed: leave the instance to the next pass
        session.rollback()
        log.exception("could not mark instance %s in error", instance_id)


def fire_due_timers(session: Session, *, limit: int | None = None) -> int:
    """Process every instance with something due now, committing after each; return how many."""
    done = 0
    seen: set[int] = set()  # one visit per instance and pass, even if something stays due
    while limit is None or done < limit:
        at = now()
        try:
            instance = _next_due(session, at, seen)
        except OperationalError:  # the database is busy (SQLite lock timeout): leave it to the next pass
            session.rollback()
            log.warning("timer pass stopped: database busy", exc_info=True)
            break
        if instance is None:
            session.rollback()  # release the snapshot
            break
        instance_id = instance.id
        seen.add(instance_id)
        try:
            fire_instance(session, instance, at)
            session.commit()
        except OperationalError:  # a transient database failure says nothing about the instance: retry later
            session.rollback()
            log.warning("timer processing of instance %s deferred: database error", instance_id, exc_info=True)
            continue
        except Exception as err:  # one broken instance must not stop the others
            session.rollback()
            log.exception("timer processing failed for instance %s", instance_id)
            _mark_broken(session, instance_id, err)
        done += 1
    return done
