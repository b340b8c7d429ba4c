"""The audit hash chain: it verifies after real work and names an event changed or deleted behind the app's back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import workflows.work.timer_worker as worker
from tests.helpers import REGISTER, Case, end_of, sh
from tests.test_case_transfer_paths import ACCEPT, to_police
from workflows.audit import record, write_pending
from workflows.audit.chain import GENESIS, canonical, current_head, event_hash
from workflows.audit.verification import Anchor, verify_chain
from workflows.clock import set_clock
from workflows.models import AuditEvent, ProcessInstance
from workflows.work.timer_worker import fire_due_timers


def behind_the_back(session: Session, statement: str, **params: Any) -> None:
    """Change audit rows as a DBA or an attacker would: raw SQL, the append-only trigger set aside on PostgreSQL."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    session.execute(text(statement), params)
    if postgresql:
        session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def events(session: Session) -> list[AuditEvent]:  # noqa: ANN001
    """Every event in chain order."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq)))


@pytest.fixture
def worked(session, shipped, monkeypatch):  # noqa: ANN001, ANN201
    """Real work, committed: cases started and stepped, deadlines missed, one instance failing in a timer pass."""
    case = Case(session, shipped, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    other = Case(session, shipped, sh(3, 2, 9), key="JD-2026-102")
    other.step("task_register", "jd_msa_liaison", REGISTER, at=sh(3, 2, 10))
    broken = other.instance.id
    real = worker.fire_instance

    def failing(session, instance, at, items=None):  # noqa: ANN001, ANN202
        if instance.id == broken:
            record(session, "test.rolled_back")  # inside the instance's savepoint, which rolls back
            raise RuntimeError("disk on fire")
        return real(session, instance, at, items)

    monkeypatch.setattr(worker, "fire_instance", failing)
    set_clock(lambda: end_of(3, 20))
    assert fire_due_timers(session) >= 2
    assert session.get(ProcessInstance, broken).status == "error"
    return case


def test_the_chain_verifies_after_real_work(session, worked):  # noqa: ANN001
    report = verify_chain(session, batch_size=7)  # batches that end inside transactions' runs of events
    count = session.scalar(select(func.count()).select_from(AuditEvent))
    assert report.ok and report.complete, report.finding
    assert report.checked == count == report.head.seq
    types = {e.type for e in events(session)}
    assert {"instance.started", "work_item.completed", "work_item.overdue", "instance.error"} <= types
    assert "test.rolled_back" not in types  # the savepoint took its event with it, and left no gap


def test_an_event_changed_behind_the_apps_back_is_named(session, worked):  # noqa: ANN001
    target = events(session)[-5]
    behind_the_back(session, "UPDATE audit_event SET payload = :forged WHERE id = :id",
                    forged='{"data": "forged"}', id=target.id)
    finding = verify_chain(session).finding
    assert (finding.kind, finding.seq, finding.event_id, finding.type) == (
        "altered", target.chain_seq, target.id, target.type)
    assert f"event id {target.id}, {target.type}" in finding.describe()


@pytest.mark.parametrize("column, value", [
    ("type", "forged"), ("actor_id", None), ("agency_id", None), ("instance_id", None), ("work_item_id", None),
    ("occurred_at", "2026-01-01 00:00:00"), ("hash", "f" * 64), ("chain_seq", 10**9)])
def test_every_covered_column_counts(session, worked, column, value):  # noqa: ANN001
    target = next(e for e in events(session) if e.type == "work_item.completed")
    behind_the_back(session, f"UPDATE audit_event SET {column} = :value WHERE id = :id", value=value, id=target.id)
    finding = verify_chain(session).finding
    if column == "chain_seq":  # moved away: its place is empty
        assert (finding.kind, finding.seq) == ("missing", target.chain_seq)
    else:
        assert (finding.kind, finding.event_id) == ("altered", target.id)


def test_an_event_rehashed_by_the_forger_breaks_the_next_link(session, worked):  # noqa: ANN001
    target, following = events(session)[3:5]
    fields = {**{c: getattr(target, c) for c in ("occurred_at", "actor_id", "agency_id", "instance_id",
                                                 "work_item_id", "type")}, "payload": {"forged": True}}
    previous = events(session)[2].hash
    behind_the_back(session, "UPDATE audit_event SET payload = :payload, hash = :hash WHERE id = :id",
                    payload='{"forged": true}', hash=event_hash(target.chain_seq, fields, previous), id=target.id)
    finding = verify_chain(session).finding
    assert (finding.kind, finding.event_id) == ("altered", following.id)


def test_a_deleted_event_leaves_a_gap_that_is_named(session, worked):  # noqa: ANN001
    target, following = events(session)[6:8]
    behind_the_back(session, "DELETE FROM audit_event WHERE id = :id", id=target.id)
    finding = verify_chain(session).finding
    assert (finding.kind, finding.seq, finding.event_id) == ("missing", target.chain_seq, None)
    assert f"seq {following.chain_seq} (id {following.id}" in finding.detail


def test_only_an_anchor_kept_outside_shows_a_chain_cut_or_rewritten_at_its_end(session, worked):  # noqa: ANN001
    head = current_head(session.connection())
    anchor = Anchor.parse(f"{head.seq}:{head.hash}")
    last = events(session)[-1]
    behind_the_back(session, "DELETE FROM audit_event WHERE id = :id", id=last.id)
    assert verify_chain(session).ok  # a shorter chain is a valid chain
    finding = verify_chain(session, anchor=anchor).finding
    assert (finding.kind, finding.seq) == ("anchor", head.seq)
    assert f"ends at seq {head.seq - 1}" in finding.detail


def test_an_anchor_names_a_rewritten_event(session, worked):  # noqa: ANN001
    chain = events(session)
    anchor = Anchor(chain[-3].chain_seq, "a" * 64)  # as if the chain had been rewritten after it was written down
    finding = verify_chain(session, anchor=anchor).finding
    assert (finding.kind, finding.event_id) == ("anchor", chain[-3].id)


def test_a_savepoint_rolled_back_takes_its_events_and_leaves_no_gap(session, demo):  # noqa: ANN001
    before = current_head(session.connection())
    record(session, "test.kept", payload={"n": 1})
    savepoint = session.begin_nested()
    record(session, "test.dropped")
    inner = session.begin_nested()
    record(session, "test.dropped_inside")
    inner.commit()
    savepoint.rollback()
    with pytest.raises(RuntimeError), session.begin_nested():
        record(session, "test.dropped_by_exception")
        raise RuntimeError
    with session.begin_nested():
        record(session, "test.kept", payload={"n": 2})
    session.commit()
    added = [(e.chain_seq, e.type, e.payload) for e in events(session)[before.seq:]]
    assert added == [(before.seq + 1, "test.kept", {"n": 1}), (before.seq + 2, "test.kept", {"n": 2})]
    assert verify_chain(session, after=before.seq).ok


def test_events_written_early_for_a_read_follow_a_savepoint_rollback_too(session, demo):  # noqa: ANN001
    """A read of the trail writes the events at once (the start answer's history); a savepoint still undoes them."""
    before = current_head(session.connection())
    record(session, "test.kept")
    with pytest.raises(RuntimeError), session.begin_nested():
        record(session, "test.dropped")
        write_pending(session)
        assert [e.type for e in events(session)[before.seq:]] == ["test.kept", "test.dropped"]
        raise RuntimeError
    record(session, "test.kept_too")
    write_pending(session)
    record(session, "test.at_commit")
    session.commit()
    added = [(e.chain_seq - before.seq, e.type) for e in events(session)[before.seq:]]
    assert added == [(1, "test.kept"), (2, "test.kept_too"), (3, "test.at_commit")]
    assert verify_chain(session, after=before.seq).ok


def test_events_of_a_rolled_back_transaction_are_not_written(session, demo):  # noqa: ANN001
    before = current_head(session.connection())
    record(session, "test.dropped")
    session.rollback()
    record(session, "test.kept")
    session.commit()
    assert [e.type for e in events(session)[before.seq:]] == ["test.kept"]


def test_events_are_written_at_commit_in_one_run(session, demo):  # noqa: ANN001
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    record(session, "test.first")
    record(session, "test.second")
    session.flush()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before  # not yet
    session.commit()
    first, second = events(session)[-2:]
    assert (second.chain_seq, second.id) == (first.chain_seq + 1, first.id + 1)
    assert first.hash == event_hash(first.chain_seq, first.__dict__, events(session)[-3].hash)


def test_the_first_event_links_to_genesis(session, empty_db):  # noqa: ANN001
    record(session, "test.first")
    session.commit()
    (first,) = events(session)
    assert first.chain_seq == 1 and first.hash == event_hash(1, first.__dict__, GENESIS)
    assert verify_chain(session).ok


def test_the_payload_hashes_as_stored_whatever_the_database_does_to_numbers(session, demo):  # noqa: ANN001
    """PostgreSQL's jsonb gives 1e20 back as 100000000000000000000 and -0.0 as 0; the hash must not care."""
    payload = {"big": 1e20, "whole": 1.0, "negative_zero": -0.0, "small": 1.5e-7, "int": 10**30 + 1,
               "text": "沪嘉市监案〔2026〕101号 \"quoted\" \\ \n", "tuple": (1, 2),
               "nested": [{"b": 1, "a": [True, None]}]}
    before = current_head(session.connection())
    record(session, "test.numbers", payload=payload)
    session.commit()
    session.expire_all()
    assert verify_chain(session, after=before.seq).ok


@pytest.mark.parametrize("same", [(1e20, 10**20), (1.0, 1), (-0.0, 0), (100, 1e2), (0.5, 5e-1)])
def test_equal_numbers_have_one_canonical_text(same):  # noqa: ANN001
    assert canonical(same[0]) == canonical(same[1])


@pytest.mark.parametrize("different", [(0.1, 0.10000000000000002), (1, True), (0, None), (10**30 + 1, 1e30),
                                       ("1", 1), ([1, 2], [2, 1])])
def test_different_values_have_different_texts(different):  # noqa: ANN001
    assert canonical(different[0]) != canonical(different[1])


def test_canonical_text_sorts_keys_and_keeps_unicode():
    assert canonical({"b": 1, "a": "中"}) == '{"a":"中","b":1e0}'


def test_a_walk_with_a_time_limit_reports_how_far_it_came(session, worked):  # noqa: ANN001
    report = verify_chain(session, batch_size=2, seconds=0)
    assert report.ok and not report.complete and report.checked == 2


def test_an_anchor_is_seq_colon_hash():
    assert Anchor.parse(f" 12:{'AB' * 32} ") == Anchor(12, "ab" * 32)
    for wrong in ("12", f"0:{'a' * 64}", f"x:{'a' * 64}", "12:abc"):
        with pytest.raises(ValueError, match="SEQ:HASH"):
            Anchor.parse(wrong)


def test_events_keep_their_order_in_time_and_place(session, worked):  # noqa: ANN001
    chain = events(session)
    assert [e.chain_seq for e in chain] == list(range(1, len(chain) + 1))
    assert [e.id for e in chain] == sorted(e.id for e in chain)
