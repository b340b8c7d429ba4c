"""PostgreSQL: the application's role cannot change the audit trail; the triggers refuse the owner too, TRUNCATE too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.audit.privileges import grant_application_role, privileges_left, unfit_role

APP_ROLE = "xietong_app_test"


@pytest.fixture
def pg(session, demo) -> Session:  # noqa: ANN001
    """The test's session, on PostgreSQL only, with at least one committed event."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("database roles and triggers: PostgreSQL only")
    record(session, "test.event")
    session.commit()
    return session


@pytest.fixture
def app_role(pg) -> Iterator[str]:  # noqa: ANN001
    """A login role with the application's privileges (created in the test's transaction, gone after it)."""
    pg.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
    grant_application_role(pg.connection(), APP_ROLE)
    yield APP_ROLE


def as_role(session: Session, role: str, statement: str) -> None:
    """Run a statement as `role` in a savepoint (the role and any failure end with it)."""
    with session.begin_nested():
        session.execute(text(f"SET LOCAL ROLE {role}"))
        session.execute(text(statement))


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET type = 'forged'", "DELETE FROM audit_event",
                                       "TRUNCATE audit_event", "TRUNCATE user_account CASCADE"])
def test_the_application_role_cannot_change_or_empty_the_trail(pg, app_role, statement):  # noqa: ANN001
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, app_role, statement)


def test_the_application_role_still_cannot_when_the_triggers_are_off(pg, app_role):  # noqa: ANN001
    pg.execute(text("ALTER TABLE audit_event DISABLE TRIGGER ALL"))
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, app_role, "UPDATE audit_event SET type = 'forged'")
    with pytest.raises(ProgrammingError, match="must be owner"):
        as_role(pg, app_role, "ALTER TABLE audit_event ENABLE TRIGGER ALL")


def test_the_application_role_does_everything_else(pg, app_role):  # noqa: ANN001
    as_role(pg, app_role, "INSERT INTO audit_event (occurred_at, type, payload, chain_seq, hash) "
                          "VALUES (now(), 'test.inserted', '{}', 10000000, repeat('0', 64))")
    as_role(pg, app_role, "SELECT count(*) FROM audit_event")
    as_role(pg, app_role, "UPDATE user_account SET display_name = display_name")
    as_role(pg, app_role, "DELETE FROM notice")
    as_role(pg, app_role, "SELECT id FROM process_instance FOR UPDATE")
    as_role(pg, app_role, "SELECT nextval('work_item_id_seq')")
    as_role(pg, app_role, "SELECT pg_advisory_xact_lock(1)")


def test_a_table_created_by_a_later_migration_is_granted_too(pg, app_role):  # noqa: ANN001
    pg.execute(text("CREATE TABLE later_table (id serial PRIMARY KEY, note text)"))
    as_role(pg, app_role, "INSERT INTO later_table (note) VALUES ('x')")
    as_role(pg, app_role, "UPDATE later_table SET note = 'y'")


def test_the_grant_names_a_role_that_could_still_change_events(pg, app_role):  # noqa: ANN001
    connection = pg.connection()
    assert unfit_role(connection, app_role) is None and privileges_left(connection, app_role) == []
    assert "superuser" in unfit_role(connection, "postgres")
    assert unfit_role(connection, "nobody_here") == "role nobody_here does not exist"
    pg.execute(text("CREATE ROLE xietong_owner_test"))
    pg.execute(text("ALTER TABLE audit_event OWNER TO xietong_owner_test"))
    pg.execute(text(f"GRANT xietong_owner_test TO {app_role}"))
    assert "owns audit_event" in unfit_role(connection, app_role)
    pg.execute(text(f"REVOKE xietong_owner_test FROM {app_role}"))
    pg.execute(text("GRANT UPDATE ON audit_event TO PUBLIC"))
    assert privileges_left(connection, app_role) == [
        f"{app_role} may UPDATE audit_event (through PUBLIC or a role it belongs to)"]


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET type = 'forged'", "DELETE FROM audit_event",
                                       "TRUNCATE audit_event", "TRUNCATE user_account CASCADE"])
def test_the_triggers_refuse_even_the_owner(pg, statement):  # noqa: ANN001
    with pytest.raises(DBAPIError, match="append-only"), pg.begin_nested():
        pg.execute(text(statement))


def test_the_grant_command_gives_the_role_its_privileges(app, pg):  # noqa: ANN001
    pg.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
    result = app.test_cli_runner().invoke(args=["grant-app-role", APP_ROLE])
    assert result.exit_code == 0, result.output
    assert "append-only" in result.output
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, APP_ROLE, "DELETE FROM audit_event")
    refused = app.test_cli_runner().invoke(args=["grant-app-role", "postgres"])
    assert refused.exit_code == 1 and "not granted: postgres is a superuser" in refused.output
