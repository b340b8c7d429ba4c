"""Several timer workers at once: every due timer fires exactly once (PostgreSQL: FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from tests.helpers import sh, worker_process
from workflows.audit.verification import verify_chain
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import AuditEvent, Notice, ProcessInstance, User, WorkItem
from workflows.work.instances import start_instance

TIMERS = Path(__file__).parent / "data" / "timers"
INSTANCES = 200
WORKERS = 2

# The worker processes read the test's instances and the test reads what they fired: real commits.
pytestmark = pytest.mark.committed


def run_workers(app: Flask, at) -> list[int]:  # noqa: ANN001
    """Start the workers as separate processes, release them at once, collect their counts."""
    db.session.remove()  # end the test's own transaction (on SQLite it holds the write lock)
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [context.Process(target=worker_process, args=(url, at.isoformat(), start, results))
                 for _ in range(WORKERS)]
    for process in processes:
        process.start()
    start.set()
    counts = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    return counts


def per_instance(session, stmt) -> dict[int, int]:  # noqa: ANN001
    return dict(session.execute(stmt).all())


def test_two_workers_fire_each_of_200_timers_exactly_once(app, session, demo):  # noqa: ANN001
    deploy(session, (TIMERS / "fanout.bpmn").read_bytes(), {}, None)
    user = session.get(User, demo["jd_msa_liaison"])
    t0 = sh(3, 2, 9)
    set_clock(lambda: t0)
    ids = [start_instance(session, user, "timer_fanout", business_key=f"T-{n}").id for n in range(INSTANCES)]
    session.commit()

    # The one-hour BPMN timers: each instance's task is created exactly once.
    assert sum(run_workers(app, t0 + timedelta(hours=1, minutes=1))) == INSTANCES
    created = per_instance(session, select(AuditEvent.instance_id, func.count()).where(
        AuditEvent.type == "work_item.created").group_by(AuditEvent.instance_id))
    fired = per_instance(session, select(AuditEvent.instance_id, func.count()).where(
        AuditEvent.type == "instance.timers_fired").group_by(AuditEvent.instance_id))
    assert created == dict.fromkeys(ids, 1)
    assert fired == dict.fromkeys(ids, 1)
    assert session.scalar(select(func.count(WorkItem.id))) == INSTANCES
    assert verify_chain(session).ok  # both workers extended one chain

    # Their two-hour deadlines: each missed deadline reaches the bureau and the procuratorate once.
    assert sum(run_workers(app, t0 + timedelta(hours=3, minutes=2))) == INSTANCES
    missed = per_instance(session, select(Notice.instance_id, func.count()).where(
        Notice.kind == "deadline_missed").group_by(Notice.instance_id))
    assert missed == dict.fromkeys(ids, 2)
    assert session.scalar(select(func.count(ProcessInstance.id)).where(
        ProcessInstance.next_timer_due_at.is_not(None))) == 0
    assert verify_chain(session).ok
    set_clock(None)
