"""Commands for the audit trail: verify the hash chain, print its head, give the application's role its privileges."""

from __future__ import annotations

import json

import click
from flask import Flask

from app.extensions import db
from workflows.audit.chain import current_head
from workflows.audit.privileges import grant_application_role, privileges_left, unfit_role
from workflows.audit.verification import Anchor, Report, verify_chain
from workflows.clock import now


def _anchor(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Anchor | None:
    """Parse --anchor SEQ:HASH."""
    try:
        return Anchor.parse(value) if value else None
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


def _summary(report: Report) -> str:
    """The OK line: how many events, from where, and the head an installation may write down."""
    if report.head is None:
        return "OK: the audit trail is empty"
    return (f"OK: {report.checked} event(s) verified, seq {report.first_seq}–{report.head.seq}; "
            f"head {report.head.seq}:{report.head.hash} at {report.head.occurred_at.isoformat()}")


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""

    @app.cli.command("audit-verify")
    @click.option("--anchor", callback=_anchor, metavar="SEQ:HASH",
                  help="a head written down earlier (flask audit-head): the chain must still hold it")
    @click.option("--after", default=0, type=click.IntRange(min=0), metavar="SEQ",
                  help="start after this place, taking its stored hash as given (default: the whole chain)")
    def audit_verify(anchor: Anchor | None, after: int) -> None:
        """Recompute the audit trail's hash chain; name the first event that does not match (exit status 1)."""
        report = verify_chain(db.session, after=after, anchor=anchor, pause=db.session.rollback)
        db.session.rollback()
        if not report.ok:
            assert report.finding is not None
            raise click.ClickException(f"audit chain broken: {report.finding.describe()}")
        click.echo(_summary(report))

    @app.cli.command("audit-head")
    def audit_head() -> None:
        """Print the chain's last event as one JSON line, to keep outside the database (cron, log shipping)."""
        head = current_head(db.session.connection())
        db.session.rollback()
        line = {"at": now().isoformat(), "audit_head": head.as_dict() if head else None,
                "anchor": f"{head.seq}:{head.hash}" if head else None}
        click.echo(json.dumps(line))

    @app.cli.command("grant-app-role")
    @click.argument("role")
    def grant_app_role(role: str) -> None:
        """PostgreSQL: give ROLE what the servers need, the audit trail append-only (run as the owner)."""
        connection = db.session.connection()
        if connection.dialect.name != "postgresql":
            raise click.ClickException("database roles exist on PostgreSQL only")
        if unfit := unfit_role(connection, role):
            raise click.ClickException(f"not granted: {unfit}")
        grant_application_role(connection, role)
        left = privileges_left(connection, role)
        db.session.commit()
        if left:
            raise click.ClickException(f"granted, but the audit trail is not protected from {role}: {'; '.join(left)}")
        click.echo(f"{role}: every table, the audit trail append-only (SELECT, INSERT)")
