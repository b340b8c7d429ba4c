"""Conflicting requests sent at the same moment to separate server processes: one winner, the other 409.

gunicorn serves the app in four processes on the test database (PostgreSQL in `make test-postgres`,
SQLite in `make test`). Each test prepares its rounds through the services, fires every round's
pair of requests together over HTTP, then checks the status codes and that the database holds
exactly what the winner's request alone would have left: no ghost item, no lost completion.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from tests.helpers import REGISTER, sh, worker_process
from tests.served import Served, serve
from tests.test_case_transfer_paths import ACCEPT, APPROVE, TRANSFER, VERIFY
from workflows.accounts.tokens import issue_token
from workflows.audit.verification import verify_chain
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import AuditEvent, Notice, ProcessInstance, User, WorkItem
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete

DATA = Path(__file__).parent / "data"
ROUNDS = 20

# The server processes read what the test prepared, and the test reads what they wrote: real commits.
pytestmark = pytest.mark.committed


@pytest.fixture(scope="module")
def served(app: Flask) -> Iterator[Served]:
    """Four gunicorn processes on the test database, for the whole module."""
    yield from serve(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)


@pytest.fixture
def tokens(session, shipped) -> dict[str, str]:  # noqa: ANN001
    """A bearer token for every demo user, committed so the server processes find them."""
    issued = {name: issue_token(session, session.get(User, uid))[0] for name, uid in shipped.items()}
    session.commit()
    return issued


def race(served: Served, session, *calls) -> list[tuple[int, object]]:  # noqa: ANN001
    """End the test's own transaction (on SQLite it holds the write lock), then send the calls together."""
    session.rollback()
    return served.race(*calls)


def _user(session, name: str) -> User:  # noqa: ANN001
    return session.scalars(select(User).where(User.username == name)).one()


def _registered_items(session, count: int, claimed_by: str | None = "jd_msa_liaison") -> list[int]:  # noqa: ANN001
    """`count` case transfers waiting at their first task, claimed by the user if given."""
    starter = _user(session, "jd_msa_liaison")
    ids = []
    for n in range(count):
        instance = start_instance(session, starter, "case_transfer", business_key=f"RACE-{n}")
        (item,) = instance_work_items(session, instance, active_only=True)
        if claimed_by:
            claim(session, _user(session, claimed_by), item)
        ids.append(item.id)
    session.commit()
    return ids


def _events(session, item_id: int) -> list[str]:  # noqa: ANN001
    """The audit event types of one item, in order."""
    return list(session.scalars(select(AuditEvent.type).where(AuditEvent.work_item_id == item_id)
                                .order_by(AuditEvent.id)))


def _statuses(results: list[tuple[int, object]]) -> list[int]:
    return [status for status, _body in results]


def _check_completed_or_untouched(session, item_id: int, completed: bool) -> None:  # noqa: ANN001
    """The item and its case hold the winner's outcome: completed with the case moved on, or still waiting."""
    session.expire_all()
    item = session.get(WorkItem, item_id)
    active = [i.task_name for i in instance_work_items(session, item.instance, active_only=True)]
    if completed:
        assert item.status == "completed"
        assert active == ["task_verify"]
        assert "work_item.completed" in _events(session, item_id)
    else:
        assert item.status in ("open", "claimed")
        assert active == ["task_register"]
        assert "work_item.completed" not in _events(session, item_id)


def test_complete_against_release_has_one_winner_every_round(served, session, tokens):  # noqa: ANN001
    items = _registered_items(session, ROUNDS)
    for item_id in items:
        results = race(
            served, session,
            ("POST", f"/api/v1/work-items/{item_id}/complete", tokens["jd_msa_liaison"], {"data": REGISTER}),
            ("POST", f"/api/v1/work-items/{item_id}/release", tokens["jd_msa_leader"], None))
        assert sorted(_statuses(results)) == [200, 409], results
        completed = results[0][0] == 200
        _check_completed_or_untouched(session, item_id, completed)
        if not completed:
            assert session.get(WorkItem, item_id).status == "open"
    assert verify_chain(session).ok  # the server processes extended one chain, without forks


def test_complete_against_reassign_has_one_winner_every_round(served, session, tokens):  # noqa: ANN001
    leader = _user(session, "jd_msa_leader")
    items = _registered_items(session, ROUNDS)
    for item_id in items:
        results = race(
            served, session,
            ("POST", f"/api/v1/work-items/{item_id}/complete", tokens["jd_msa_liaison"], {"data": REGISTER}),
            ("POST", f"/api/v1/work-items/{item_id}/reassign", tokens["jd_msa_leader"],
             {"assignee_id": leader.id}))
        assert sorted(_statuses(results)) == [200, 409], results
        completed = results[0][0] == 200
        _check_completed_or_untouched(session, item_id, completed)
        if not completed:
            assert session.get(WorkItem, item_id).assignee_id == leader.id


def test_two_claims_of_one_item_have_one_winner(served, session, tokens):  # noqa: ANN001
    items = _registered_items(session, ROUNDS, claimed_by=None)
    for item_id in items:
        results = race(served, session, ("POST", f"/api/v1/work-items/{item_id}/claim", tokens["jd_msa_liaison"], None),
                              ("POST", f"/api/v1/work-items/{item_id}/claim", tokens["jd_msa_leader"], None))
        assert sorted(_statuses(results)) == [200, 409], results
        winner = "jd_msa_liaison" if results[0][0] == 200 else "jd_msa_leader"
        session.expire_all()
        assert session.get(WorkItem, item_id).assignee_id == _user(session, winner).id
        assert _events(session, item_id).count("work_item.claimed") == 1


def test_two_starts_under_one_case_number_have_one_winner(served, session, tokens):  # noqa: ANN001
    for n in range(ROUNDS // 2):
        body = {"process_key": "case_transfer", "business_key": f"RACE-{n}"}
        results = race(served, session, ("POST", "/api/v1/process-instances", tokens["jd_msa_liaison"], body),
                       ("POST", "/api/v1/process-instances", tokens["jd_msa_leader"], body))
        assert sorted(_statuses(results)) == [201, 409], results
        session.expire_all()
        started = select(ProcessInstance).where(ProcessInstance.business_key == f"RACE-{n}")
        assert len(session.scalars(started).all()) == 1


def test_a_double_submission_completes_once(served, session, tokens):  # noqa: ANN001
    items = _registered_items(session, ROUNDS)
    for item_id in items:
        call = ("POST", f"/api/v1/work-items/{item_id}/complete", tokens["jd_msa_liaison"], {"data": REGISTER})
        results = race(served, session, call, call)
        assert sorted(_statuses(results)) == [200, 409], results
        _check_completed_or_untouched(session, item_id, completed=True)
        assert _events(session, item_id).count("work_item.completed") == 1


def _fork(session, target: str) -> ProcessInstance:  # noqa: ANN001
    """A fork into the initiator's task and a task of the agency named by `target`."""
    return start_instance(session, _user(session, "jd_msa_liaison"), "recovery_fork", data={"target_agency": target})


FORK_FORMS = {"fork_start.json": (DATA / "recovery/fork_start.json").read_bytes()}


def test_two_agencies_completing_parallel_branches_both_win(served, session, tokens):  # noqa: ANN001
    """Not a conflict: both steps land, one after the other, and the join sees both."""
    deploy(session, (DATA / "recovery/fork.bpmn").read_bytes(), FORK_FORMS, None)
    instances = []
    for _ in range(ROUNDS // 2):
        instance = _fork(session, "cn_msa")
        local, target = sorted(instance_work_items(session, instance, active_only=True), key=lambda i: i.task_name)
        claim(session, _user(session, "jd_msa_liaison"), local)
        claim(session, _user(session, "cn_msa_liaison"), target)
        instances.append((instance.id, local.id, target.id))
    session.commit()
    for instance_id, local, target in instances:
        results = race(served, session,
                       ("POST", f"/api/v1/work-items/{local}/complete", tokens["jd_msa_liaison"], {"data": {}}),
                       ("POST", f"/api/v1/work-items/{target}/complete", tokens["cn_msa_liaison"], {"data": {}}))
        assert _statuses(results) == [200, 200], results
        session.expire_all()
        assert session.get(ProcessInstance, instance_id).status == "completed"
        assert [e for e in _events(session, local) + _events(session, target) if e == "work_item.completed"] == \
            ["work_item.completed"] * 2


def test_two_resumes_of_a_stopped_case_have_one_winner(served, session, tokens):  # noqa: ANN001
    deploy(session, (DATA / "recovery/fork.bpmn").read_bytes(), FORK_FORMS, None)
    stopped = [_fork(session, "wz_msa").id for _ in range(ROUNDS // 2)]  # names no agency: stops in error
    session.commit()
    for instance_id in stopped:
        call = ("POST", f"/api/v1/process-instances/{instance_id}/resume", tokens["admin"],
                {"data": {"target_agency": "ks_msa"}})
        results = race(served, session, call, call)
        assert sorted(_statuses(results)) == [200, 409], results
        session.expire_all()
        instance = session.get(ProcessInstance, instance_id)
        assert instance.status == "running"
        assert len(instance_work_items(session, instance, active_only=True)) == 2
        resumed = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                           AuditEvent.type == "instance.resumed")).all()
        assert len(resumed) == 1


def _cases_past(session, count: int, key: str, steps: list[tuple[str, str, dict]]) -> list[int]:  # noqa: ANN001
    """`count` case transfers taken through the steps (task, user, data); the ids of the items they then wait at."""
    ids = []
    for n in range(count):
        instance = start_instance(session, _user(session, "jd_msa_liaison"), "case_transfer", business_key=f"{key}-{n}")
        for task, name, data in steps:
            (item,) = instance_work_items(session, instance, active_only=True)
            assert item.task_name == task
            claim(session, _user(session, name), item)
            complete(session, _user(session, name), item, data)
        (item,) = instance_work_items(session, instance, active_only=True)
        ids.append(item.id)
    session.commit()
    return ids


# From registration to the 嘉定 police's acceptance (the bureau's four steps).
TO_ACCEPTANCE = [("task_register", "jd_msa_liaison", REGISTER), ("task_verify", "jd_msa_liaison", VERIFY),
                 ("task_approve", "jd_msa_leader", APPROVE), ("task_transfer", "jd_msa_liaison", TRANSFER)]


def _police_decisions(session, count: int) -> list[int]:  # noqa: ANN001
    """Case transfers waiting for the 嘉定 police's filing decision (extendable once by a leader)."""
    return _cases_past(session, count, "EXT", [*TO_ACCEPTANCE, ("task_accept", "jd_police_liaison", ACCEPT)])


def test_two_extensions_where_one_is_allowed_have_one_winner(served, session, tokens):  # noqa: ANN001
    for item_id in _police_decisions(session, ROUNDS // 2):
        call = ("POST", f"/api/v1/work-items/{item_id}/extensions", tokens["jd_police_leader"],
                {"reason": "案情重大复杂"})
        results = race(served, session, call, call)
        assert sorted(_statuses(results)) == [201, 409], results
        session.expire_all()
        assert session.get(WorkItem, item_id).extension_count == 1
        assert _events(session, item_id).count("work_item.extended") == 1


def test_the_timer_worker_never_escalates_an_item_completed_meanwhile(app, served, session, tokens):  # noqa: ANN001
    """A worker process fires missed deadlines while the holders complete the same items over HTTP."""
    deploy(session, (DATA / "timers/fanout.bpmn").read_bytes(), {}, None)
    t0 = sh(3, 2, 9)
    set_clock(lambda: t0)
    starter = _user(session, "jd_msa_liaison")
    instances = [start_instance(session, starter, "timer_fanout", business_key=f"T-{n}") for n in range(ROUNDS)]
    session.commit()
    set_clock(lambda: t0 + timedelta(hours=1, minutes=1))
    fire_due_timers(session)  # the tasks appear, due two hours later
    items = [i for inst in instances for i in instance_work_items(session, inst, active_only=True)]
    for item in items:
        claim(session, starter, item)
    session.commit()
    set_clock(None)
    db.session.remove()

    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    worker = context.Process(target=worker_process, args=(
        app.config["SQLALCHEMY_DATABASE_URI"], (t0 + timedelta(hours=3, minutes=2)).isoformat(), start, results))
    worker.start()
    start.set()
    answers = race(served, session, *[
        ("POST", f"/api/v1/work-items/{i.id}/complete", tokens["jd_msa_liaison"], {"data": {}}) for i in items])
    results.get(timeout=120)
    worker.join(60)
    assert worker.exitcode == 0
    assert _statuses(answers) == [200] * len(items)
    for item in items:
        events = _events(session, item.id)
        missed = session.scalars(select(Notice.id).where(Notice.work_item_id == item.id,
                                                         Notice.kind == "deadline_missed")).all()
        if "work_item.overdue" in events:  # the worker came first: escalated while still open
            assert events.index("work_item.overdue") < events.index("work_item.completed")
            assert len(missed) == 2
        else:
            assert missed == []


def test_a_draft_racing_the_completion_never_outlives_it(served, session, tokens):  # noqa: ANN001
    """Saving a draft and submitting the item at once: the submission always lands and no draft survives it."""
    for item_id in _registered_items(session, ROUNDS // 2):
        draft = ("PUT", f"/api/v1/work-items/{item_id}/draft", tokens["jd_msa_liaison"], {"data": {"summary": "草稿"}})
        submit = ("POST", f"/api/v1/work-items/{item_id}/complete", tokens["jd_msa_liaison"], {"data": REGISTER})
        (drafted, _), (completed, _) = race(served, session, draft, submit)
        assert completed == 200 and drafted in (200, 409), (drafted, completed)
        _check_completed_or_untouched(session, item_id, completed=True)
        item = session.get(WorkItem, item_id)
        assert (item.draft, item.draft_saved_at) == (None, None)  # the draft came first and was cleared, or was refused
        assert _events(session, item_id).count("work_item.draft_saved") == (1 if drafted == 200 else 0)


def _escalated_acceptances(session, count: int) -> list[int]:  # noqa: ANN001
    """The 嘉定 police's acceptances left past their 24 hours: escalated to the 嘉定 procuratorate (escalateTo)."""
    t0 = sh(3, 2, 9)
    set_clock(lambda: t0)
    ids = _cases_past(session, count, "REMIND", TO_ACCEPTANCE)
    set_clock(lambda: t0 + timedelta(days=3))
    fire_due_timers(session)
    session.commit()
    set_clock(None)  # the server processes remind on today's date
    return ids


def test_two_reminders_of_one_overdue_item_have_one_winner(served, session, tokens):  # noqa: ANN001
    """Two procuratorate users press 催办 at once: one reminder reaches the police, the other is told 409."""
    for item_id in _escalated_acceptances(session, ROUNDS // 2):
        first = ("POST", f"/api/v1/work-items/{item_id}/reminders", tokens["jd_procurator"], None)
        second = ("POST", f"/api/v1/work-items/{item_id}/reminders", tokens["jd_procur_leader"], None)
        results = race(served, session, first, second)
        assert sorted(_statuses(results)) == [201, 409], results
        session.expire_all()
        reminders = session.scalars(select(Notice.id).where(Notice.work_item_id == item_id,
                                                            Notice.kind == "reminder")).all()
        assert len(reminders) == 1
        assert _events(session, item_id).count("work_item.reminder_sent") == 1
