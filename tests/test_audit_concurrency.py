"""Writers committing at the same moment extend one chain: no fork, no gap, each transaction's events in one run."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from workflows.audit import record
from workflows.audit.chain import current_head
from workflows.audit.verification import verify_chain
from workflows.models import AuditEvent

# Other connections commit and the test reads what they wrote: real commits.
pytestmark = pytest.mark.committed

WRITERS, TRANSACTIONS, EVENTS = 6, 15, 3


def _write(app: Flask, writer: int, start: threading.Barrier, failures: list[BaseException]) -> None:
    """One writer: its own connection, TRANSACTIONS commits of EVENTS events each."""
    try:
        with app.app_context():
            start.wait(30)
            for n in range(TRANSACTIONS):
                for k in range(EVENTS):
                    record(db.session, "test.concurrent", payload={"writer": writer, "transaction": n, "k": k})
                db.session.commit()
            db.session.remove()
    except BaseException as err:  # noqa: BLE001 - reported by the test
        failures.append(err)


def test_concurrent_writers_extend_one_chain(app: Flask) -> None:
    with app.app_context():
        before = current_head(db.session.connection()).seq
        db.session.remove()  # on SQLite an open transaction would hold the write lock
    start, failures = threading.Barrier(WRITERS), []
    threads = [threading.Thread(target=_write, args=(app, w, start, failures)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    with app.app_context():
        report = verify_chain(db.session)
        assert report.ok and report.head.seq == before + WRITERS * TRANSACTIONS * EVENTS, report.finding
        added = db.session.scalars(select(AuditEvent).where(AuditEvent.chain_seq > before)
                                   .order_by(AuditEvent.chain_seq)).all()
        runs = [(e.payload["writer"], e.payload["transaction"]) for e in added]
        assert runs == [run for run in runs[::EVENTS] for _ in range(EVENTS)]  # a transaction's events together
        assert len(set(runs)) == WRITERS * TRANSACTIONS
        db.session.remove()
