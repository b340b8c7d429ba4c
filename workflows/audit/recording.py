"""Recording audit events; every state change calls this in the same transaction.

An event is kept on the session until its transaction really commits, then linked into the hash
chain and INSERTed (workflows/audit/chain.py). Linking at the outermost COMMIT, not at a flush,
means the chain's lock is held only for the commit, and a savepoint rolled back (the timer
worker's per-instance ones, the tests') takes its events with it: nothing was linked yet, so no
place in the chain is skipped and no hash names an event that never happened. Events therefore
reach the table when their transaction commits, or when it reads the trail it is adding to
(`write_pending`, just before the commit: the lock is held from there on).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from workflows.audit.chain import link
from workflows.clock import now
from workflows.models import AuditEvent, ProcessInstance, User, WorkItem

# A plain INSERT of a transaction's events at once: they are never changed, so they need no ORM
# identity.
_INSERT = insert(AuditEvent.__table__)
# session.info key: how many events of each type the open transaction recorded, so that the app's
# metrics count work once it is committed (app/metrics.py); nothing here depends on who reads it.
RECORDED_TYPES = "audit.recorded_types"
# session.info keys: the events of the open transaction waiting for its commit, and those written
# early inside a savepoint (with the savepoint).
PENDING = "audit.pending"
WRITTEN = "audit.written"


@dataclass(frozen=True)
class _Pending:
    """An event recorded in a (sub)transaction of the session, not yet written."""

    transaction: SessionTransaction  # the innermost transaction when it was recorded: a savepoint, or the outermost
    values: dict[str, Any]


def record(session: Session, type_: str, *, actor: User | None = None,
           instance: ProcessInstance | None = None, work_item: WorkItem | None = None,
           payload: dict[str, Any] | None = None) -> None:
    """Append one audit event (written, linked into the chain, when the caller's transaction commits)."""
    if isinstance(session, scoped_session):
        session = session()  # the session itself: the transactions are its own
    session.connection()  # begin the transaction now, as writing the event at once would
    transaction = session.get_nested_transaction() or session.get_transaction()
    assert transaction is not None
    instance_id = instance.id if instance else (work_item.instance_id if work_item else None)
    session.info.setdefault(PENDING, []).append(_Pending(transaction, {
        "occurred_at": now(),
        "actor_id": actor.id if actor else None,
        "agency_id": actor.agency_id if actor else None,
        "instance_id": instance_id,
        "work_item_id": work_item.id if work_item else None,
        "type": type_,
        # As the column gives it back (tuples become lists), and safe from later changes by the caller.
        "payload": json.loads(json.dumps(payload or {})),
    }))
    session.info.setdefault(RECORDED_TYPES, Counter())[type_] += 1


def write_pending(session: Session) -> None:
    """Link and INSERT the events the transaction recorded so far, now, so that its own reads of the trail see them.

    The chain's lock is then held until COMMIT: call this only just before the commit (an answer
    read in the transaction that it reports on). Events recorded later are written at the commit.
    """
    if isinstance(session, scoped_session):
        session = session()
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:  # its rollback would take with it events recorded before it began
        session.info.setdefault(WRITTEN, []).append((savepoint, pending))
    session.flush()  # the rows the events name are written first; linking takes the chain's lock, so last
    connection = session.connection()
    connection.execute(_INSERT, link(connection, [p.values for p in pending]))


def _write_at_commit(session: Session) -> None:
    """At the outermost COMMIT (not a savepoint's release): write the transaction's events."""
    if session.get_nested_transaction() is None:
        write_pending(session)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    """Whether `transaction` is `ancestor` or was begun inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """A transaction or savepoint rolled back: the events recorded in it never happened.

    Events written early inside it (`write_pending`) but recorded before it began did happen: the
    rollback took their rows, so they wait for the commit again.
    """
    if not session.info.get(PENDING) and not session.info.get(WRITTEN):
        return
    undone, kept = [], []
    for savepoint, written in session.info.get(WRITTEN, []):
        (undone if _within(savepoint, previous_transaction) else kept).append((savepoint, written))
    session.info[WRITTEN] = kept
    again = [p for _, written in undone for p in written]
    pending = again + session.info.get(PENDING, [])
    session.info[PENDING] = [p for p in pending if not _within(p.transaction, previous_transaction)]


def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended (committed, rolled back or closed): nothing may carry over."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(WRITTEN, None)


event.listen(Session, "before_commit", _write_at_commit)
event.listen(Session, "after_soft_rollback", _forget_rolled_back)
event.listen(Session, "after_transaction_end", _forget_at_end)
