"""`flask audit-verify` and `audit-head`, the admin page, the timer worker's head line, the migration's links."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

import app.web.admin_audit as admin_audit
from app import create_app
from app.extensions import db
from app.logs import log_handler
from app.timers import run_loop
from tests.test_audit_chain import behind_the_back, events
from tests.test_web_pages import sign_in
from workflows.audit import record
from workflows.audit.chain import current_head
from workflows.audit.verification import verify_chain
from workflows.models import AuditEvent


@pytest.fixture
def recorded(session, demo):  # noqa: ANN001, ANN201
    """A few committed events besides the baseline's."""
    for n in range(5):
        record(session, "test.event", payload={"n": n})
    session.commit()
    return events(session)


def cli(app: Flask, *args: str):  # noqa: ANN201
    """Run a flask command in its own application context, as the shell would."""
    return app.test_cli_runner().invoke(args=list(args))


def test_verify_passes_on_an_untouched_trail_and_prints_the_head(app, session, recorded):  # noqa: ANN001
    head = recorded[-1]
    result = cli(app, "audit-verify")
    assert result.exit_code == 0, result.output
    assert f"OK: {len(recorded)} event(s) verified, seq 1–{head.chain_seq}; head {head.chain_seq}:{head.hash}" \
        in result.output


def test_verify_names_the_event_changed_behind_the_apps_back(app, session, recorded):  # noqa: ANN001
    target = recorded[-3]
    behind_the_back(session, "UPDATE audit_event SET payload = '{\"n\": 99}' WHERE id = :id", id=target.id)
    session.commit()
    result = cli(app, "audit-verify")
    assert result.exit_code == 1
    assert f"altered at seq {target.chain_seq} (event id {target.id}, test.event, at" in result.output


def test_verify_names_the_place_of_a_deleted_event(app, session, recorded):  # noqa: ANN001
    seq, following = recorded[-3].chain_seq, recorded[-2]
    behind_the_back(session, "DELETE FROM audit_event WHERE id = :id", id=recorded[-3].id)
    session.commit()
    result = cli(app, "audit-verify")
    assert result.exit_code == 1
    assert f"missing at seq {seq} (no event): no event at seq {seq}: rows were deleted; the next event is seq " \
           f"{seq + 1} (id {following.id}, test.event," in result.output


def test_the_head_printed_is_an_anchor_the_verification_takes(app, session, recorded):  # noqa: ANN001
    line = json.loads(cli(app, "audit-head").output)
    head = recorded[-1]
    assert line["anchor"] == f"{head.chain_seq}:{head.hash}"
    assert line["audit_head"]["seq"] == head.chain_seq and line["audit_head"]["hash"] == head.hash
    assert cli(app, "audit-verify", "--anchor", line["anchor"]).exit_code == 0
    behind_the_back(session, "DELETE FROM audit_event WHERE id = :id", id=head.id)  # the end cut off
    session.commit()
    assert cli(app, "audit-verify").exit_code == 0
    result = cli(app, "audit-verify", "--anchor", line["anchor"])
    assert result.exit_code == 1 and "anchor at seq" in result.output
    assert cli(app, "audit-verify", "--anchor", "12:xyz").exit_code == 2  # a usage error


def test_verify_can_start_after_a_place(app, session, recorded):  # noqa: ANN001
    after = recorded[-3].chain_seq
    result = cli(app, "audit-verify", "--after", str(after))
    assert result.exit_code == 0 and f"OK: 2 event(s) verified, seq {after + 1}–{after + 2}; " in result.output


def test_an_empty_trail_verifies(app, session, empty_db):  # noqa: ANN001
    assert cli(app, "audit-verify").output == "OK: the audit trail is empty\n"
    assert json.loads(cli(app, "audit-head").output)["audit_head"] is None


def test_the_admin_page_shows_an_intact_chain(client: FlaskClient, session, recorded) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    head = current_head(session.connection())  # signing in added an event
    assert "完好：" in page and head.hash in page
    whole = client.get("/admin/audit?scope=all").get_data(as_text=True)
    assert f"共检查 {head.seq} 条事件，第 1 至 {head.seq} 位" in whole


def test_the_admin_page_names_the_changed_event(client: FlaskClient, session, recorded) -> None:  # noqa: ANN001
    target = recorded[-2]
    behind_the_back(session, "UPDATE audit_event SET type = 'forged' WHERE id = :id", id=target.id)
    session.commit()
    sign_in(client, "admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "已损坏" in page and f"事件 {target.id}（第 {target.chain_seq} 位" in page


def test_the_admin_page_checks_the_latest_events_unless_asked_for_all(client, session, recorded,  # noqa: ANN001
                                                                      monkeypatch) -> None:
    monkeypatch.setattr(admin_audit, "RECENT_EVENTS", 2)
    behind_the_back(session, "DELETE FROM audit_event WHERE id = :id", id=recorded[0].id)  # older than the latest 2
    session.commit()
    sign_in(client, "admin")
    assert "完好" in client.get("/admin/audit").get_data(as_text=True)
    assert "已损坏" in client.get("/admin/audit?scope=all").get_data(as_text=True)


def test_the_admin_page_is_for_admins(app, client: FlaskClient, demo) -> None:  # noqa: ANN001
    assert app.test_client().get("/admin/audit").status_code == 302  # to the sign-in page
    for user in ("jd_msa_liaison", "jd_supervisor"):
        sign_in(client, user)
        assert client.get("/admin/audit").status_code == 403


def test_the_timer_worker_logs_the_head_as_a_json_line(app, session, recorded) -> None:  # noqa: ANN001
    stream, logger = io.StringIO(), logging.getLogger("app.timers")
    saved = logger.disabled, logger.level  # Alembic's fileConfig (the app fixture's migrations) disabled it
    logger.disabled = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler := log_handler("json", stream))
    try:
        run_loop(app, 0, once=True)
    finally:
        logger.removeHandler(handler)
        logger.disabled, logger.level = saved
    (line,) = [json.loads(line) for line in stream.getvalue().splitlines() if "audit chain head" in line]
    head = recorded[-1]
    assert line["audit_head"] == {"seq": head.chain_seq, "hash": head.hash, "occurred_at": head.occurred_at.isoformat()}
    assert line["message"] == f"audit chain head {head.chain_seq}:{head.hash}"


def test_the_migration_links_existing_events_in_id_order(scratch_url):  # noqa: ANN001
    migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url})
    with migrated.app_context():
        upgrade()
        downgrade(revision="3f1b7c2a9d40")  # the revision before the chain
        with db.engine.begin() as conn:
            for n in range(5):
                conn.execute(text("INSERT INTO audit_event (occurred_at, type, payload) VALUES "
                                  "(:at, 'old.event', :payload)"),
                             {"at": f"2026-11-0{n + 1} 08:00:00.12345{n}", "payload": json.dumps({"n": n, "x": 1.0})})
        upgrade()
        chain = [(e.chain_seq, e.payload["n"]) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert chain == [(n + 1, n) for n in range(5)]
        assert verify_chain(db.session).ok
        record(db.session, "new.event")
        db.session.commit()
        assert current_head(db.session.connection()).seq == 6 and verify_chain(db.session).checked == 6
        db.session.remove()  # its transaction's lock on the table would hold the TRUNCATE below
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_event"))
        db.engine.dispose()

