"""The audit trail is append-only, in the ORM and (on PostgreSQL) in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from workflows.audit import record
from workflows.models import AuditEvent
from workflows.models.audit import AuditImmutableError


def test_orm_refuses_to_change_or_delete_events(session, demo):  # noqa: ANN001
    record(session, "test.event", payload={"n": 1})
    session.commit()
    event = session.scalars(select(AuditEvent).where(AuditEvent.type == "test.event")).one()
    event.payload = {"n": 2}
    with pytest.raises(AuditImmutableError):
        session.flush()
    session.rollback()
    session.delete(event)
    with pytest.raises(AuditImmutableError):
        session.flush()
    session.rollback()


def test_database_refuses_raw_updates_on_postgresql(session, demo):  # noqa: ANN001
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; SQLite relies on the ORM guard tested above")
    record(session, "test.event")
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("UPDATE audit_event SET type = 'forged'"))
    session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("DELETE FROM audit_event"))
    session.rollback()
