"""PostgreSQL: the application's login role may read and write every table, and only append to the audit trail.

Migrations run as the role that owns the tables; the servers and timer workers connect as another
role, given here what the application needs: SELECT, INSERT, UPDATE, DELETE on every table and the
use of every sequence, except that on `audit_event` it may only SELECT and INSERT. Privileges are
checked before triggers, so the application's connection cannot UPDATE, DELETE or TRUNCATE an event
even if the append-only triggers were disabled; only the owner (or a superuser) could disable them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

AUDIT_TABLE = "audit_event"
_ROLE = text("SELECT rolsuper FROM pg_roles WHERE rolname = :role")
_OWNS = text("SELECT pg_has_role(:role, tableowner, 'USAGE') FROM pg_tables "
             "WHERE schemaname = current_schema() AND tablename = :table")


def grant_application_role(connection: Connection, role: str) -> None:
    """Give `role` the application's privileges on the current schema (run as the owner after each upgrade).

    Default privileges cover the tables and sequences the owner creates later, so a migration
    adding a table needs no new grant; running this again is harmless.
    """
    if connection.dialect.name != "postgresql":
        raise ValueError("database roles exist on PostgreSQL only")
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA {_schema(connection)} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {_schema(connection)} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema(connection)} TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema(connection)} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema(connection)} GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {quoted}",
    ):
        connection.execute(text(statement))


def _schema(connection: Connection) -> str:
    """The current schema, quoted."""
    return connection.dialect.identifier_preparer.quote(connection.scalar(text("SELECT current_schema()")))


def unfit_role(connection: Connection, role: str) -> str | None:
    """Why no grant can keep `role` from changing audit events (None: it can), checked before granting."""
    found = connection.execute(_ROLE, {"role": role}).first()
    if found is None:
        return f"role {role} does not exist"
    if found.rolsuper:
        return f"{role} is a superuser: privileges and triggers do not bind it"
    if connection.scalar(_OWNS, {"role": role, "table": AUDIT_TABLE}):
        return f"{role} owns {AUDIT_TABLE} (or is a member of its owner): it can disable the triggers"
    return None


def privileges_left(connection: Connection, role: str) -> list[str]:
    """What `role` may still do to audit events after the grant (through PUBLIC or a role it belongs to)."""
    return [f"{role} may {privilege} {AUDIT_TABLE} (through PUBLIC or a role it belongs to)"
            for privilege in ("UPDATE", "DELETE", "TRUNCATE")
            if connection.scalar(text("SELECT has_table_privilege(:role, :table, :privilege)"),
                                 {"role": role, "table": AUDIT_TABLE, "privilege": privilege})]
