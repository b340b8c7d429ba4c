"""The timer worker: fires due BPMN timers and acts on work-item deadlines, a batch of instances per transaction.

A pass walks the due instances in `(next_timer_due_at, id)` order and takes them a batch at a time
with `FOR UPDATE SKIP LOCKED`: several workers share the work without waiting for each other, and
none fires a timer twice (SQLite serialises writers with BEGIN IMMEDIATE). The walk's cursor means
each instance is visited once per pass, whatever its processing leaves due. Each instance runs in a
savepoint: one that fails is rolled back alone and marked in error with the reason, and the others
go on. A batch holds its row locks until it commits, so a user acting on one of its cases waits at
most one batch.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, literal_column, select, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, defer, lazyload

from workflows.audit import record
from workflows.clock import now
from workflows.deployment.definitions import compiled
from workflows.engine.runtime import restore_workflow, run_engine
from workflows.messages import message
from workflows.models import ProcessInstance, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.work.escalation import watch_deadlines
from workflows.work.steps import RUNNING, active_items, mark_error, run_step, schedule

log = logging.getLogger(__name__)

BATCH_SIZE = 25

# The literal (not a bound parameter) lets SQLite use the partial index on running instances.
_RUNNING = ProcessInstance.status == literal_column(f"'{RUNNING}'")
_ORDER = (ProcessInstance.next_timer_due_at, ProcessInstance.id)
# Only the instance rows, walked in the order of their partial index: no join before the LIMIT (the few
# definitions and agencies come from the identity map), and the engine state only for an instance
# whose engine timer is due or whose lanes read its data.
_DUE = (select(ProcessInstance)
        .where(_RUNNING, ProcessInstance.next_timer_due_at < bindparam("at"))
        .order_by(*_ORDER).limit(bindparam("size"))
        .options(defer(ProcessInstance.state), lazyload(ProcessInstance.definition))
        .with_for_update(skip_locked=True, of=ProcessInstance)
        .execution_options(populate_existing=True))
_DUE_AFTER = _DUE.where(tuple_(*_ORDER) > tuple_(bindparam("after_due"), bindparam("after_id")))
_ITEMS = select(WorkItem).where(WorkItem.instance_id.in_(bindparam("ids", expanding=True)),
                                WorkItem.status.in_(ACTIVE_STATUSES)).order_by(WorkItem.id)

Cursor = tuple[datetime, int]


def _due_batch(session: Session, at: datetime, after: Cursor | None, size: int) -> list[ProcessInstance]:
    """Lock the next batch of running instances with something due, past the cursor."""
    if after is None:
        return list(session.scalars(_DUE, {"at": at, "size": size}))
    params = {"at": at, "size": size, "after_due": after[0], "after_id": after[1]}
    return list(session.scalars(_DUE_AFTER, params))


def _active_items_of(session: Session, batch: list[ProcessInstance]) -> dict[int, list[WorkItem]]:
    """The open and claimed items of every instance in the batch, in one query."""
    by_instance: dict[int, list[WorkItem]] = defaultdict(list)
    for item in session.scalars(_ITEMS, {"ids": [i.id for i in batch]}):
        by_instance[item.instance_id].append(item)
    return by_instance


def fire_instance(session: Session, instance: ProcessInstance, at: datetime,
                  items: list[WorkItem] | None = None) -> None:
    """Fire what is due in one instance: engine timers first (they may close a task), then deadlines.

    `items` are the instance's active items when the caller loaded them already.
    """
    if instance.engine_timer_due_at is not None and instance.engine_timer_due_at < at:
        workflow = restore_workflow(compiled(session, instance.definition).specs(), instance.state)
        if not run_step(session, instance, workflow, None, lambda deadline: run_engine(workflow, deadline)):
            return
        record(session, "instance.timers_fired", instance=instance, payload={"at": at.isoformat()})
        items = None  # the step created and cancelled items
    items = active_items(session, instance) if items is None else items
    if instance.status == RUNNING:
        watch_deadlines(session, instance, items, at)
    schedule(instance, items)


def _fire_isolated(session: Session, instance: ProcessInstance, at: datetime, items: list[WorkItem]) -> None:
    """Fire one instance in a savepoint; a failure rolls back only this instance and stops it in error."""
    savepoint = session.begin_nested()
    try:
        fire_instance(session, instance, at, items)
        session.flush()
        savepoint.commit()
    except OperationalError:
        raise  # the database itself failed: the whole batch goes back
    except Exception as err:  # one broken instance must not stop the others
        savepoint.rollback()
        log.exception("timer processing failed for instance %s", instance.id)
        # Rows written through workflows.work.rows look clean to the ORM: reload what the savepoint undid.
        session.expire_all()
        mark_error(session, instance, message("timer_failed", kind=type(err).__name__, detail=str(err)[:2000]), None)
        session.flush()


def _fire_batch(session: Session, batch: list[ProcessInstance], at: datetime) -> None:
    """Fire every instance of a locked batch, then commit the batch."""
    items = _active_items_of(session, batch)
    for instance in batch:
        _fire_isolated(session, instance, at, items.get(instance.id, []))
    session.commit()


def fire_due_timers(session: Session, *, limit: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Process every instance with something due now, a committed batch at a time; return how many."""
    done, after, at = 0, None, now()
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        try:
            batch = _due_batch(session, at, after, size)
            if not batch:
                session.rollback()  # release the snapshot
                break
            after = (batch[-1].next_timer_due_at, batch[-1].id)  # before processing moves them
            _fire_batch(session, batch, at)
        except OperationalError:  # the database is busy or gone: leave the rest to the next pass
            session.rollback()
            log.warning("timer pass stopped: database error", exc_info=True)
            break
        done += len(batch)
    return done
