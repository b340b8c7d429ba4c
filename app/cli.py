"""Command-line tasks: deploy the shipped processes, create the first admin, load demo data."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.auth import password_policy
from app.extensions import db
from workflows.deployment.deploy import DiagramInvalidError, deploy_folder
from workflows.directory import entries as directory
from workflows.errors import InvalidDataError
from workflows.messages import in_english
from workflows.models import Agency, AgencyType, User


def _admin_agency() -> Agency:
    """An agency for the first admin of an empty installation."""
    agency = db.session.scalars(select(Agency).order_by(Agency.id)).first()
    if agency is not None:
        return agency
    if db.session.scalars(select(AgencyType).where(AgencyType.code == "administration")).first() is None:
        directory.create_agency_type(db.session, None, "administration", "系统管理", "运行维护本系统")
    return directory.create_agency(db.session, None, code="xietong_admin", name="协同平台管理",
                                   type_code="administration", jurisdiction="-", level="city")


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""

    @app.cli.command("deploy-processes")
    @click.option("--dir", "folder", default=None, help="folder of process folders (default: bpmn/)")
    def deploy_processes(folder: str | None) -> None:
        """Deploy the shipped diagrams; unchanged ones are skipped."""
        try:
            results = deploy_folder(db.session, Path(folder or current_app.config["BPMN_DIR"]))
        except DiagramInvalidError as err:
            lines = [f"  {e['element'] or '-'}: {e['message']}" for e in err.details]
            raise click.ClickException("\n".join([err.message, *lines])) from err
        for key, version, created in results:
            click.echo(f"{key} v{version}: {'deployed' if created else 'unchanged'}")
        db.session.commit()

    @app.cli.command("run-timers")
    @click.option("--once", is_flag=True, help="one pass over the due instances, then exit")
    @click.option("--interval", default=None, type=float, help="seconds between passes (default: settings)")
    def run_timers(once: bool, interval: float | None) -> None:
        """Fire due timers and act on missed deadlines; run one or more of these beside the web servers."""
        from app.timers import run_loop, stop_on_signals

        stop_on_signals()
        seconds = interval if interval is not None else float(current_app.config["TIMER_INTERVAL_SECONDS"])
        processed = run_loop(current_app._get_current_object(), seconds, once=once)
        click.echo(f"processed {processed} instance(s)")

    @app.cli.command("create-admin")
    @click.argument("name")
    @click.option("--password", default=None, help="default: $XIETONG_ADMIN_PASSWORD")
    @click.option("--agency", "agency_code", default=None, help="agency code (default: the first agency)")
    @click.option("--if-missing", is_flag=True, help="do nothing when the user exists (run on every start)")
    def create_admin(name: str, password: str | None, agency_code: str | None, if_missing: bool) -> None:
        """Create an admin user, e.g. the first one of an installation without demo data."""
        password = password or os.environ.get("XIETONG_ADMIN_PASSWORD")
        if not password:
            raise click.UsageError("give --password or set XIETONG_ADMIN_PASSWORD")
        if if_missing and db.session.scalars(select(User).where(User.username == name)).first() is not None:
            click.echo(f"user '{name}' exists: unchanged")
            return
        code = agency_code or _admin_agency().code
        try:
            directory.create_user(db.session, None, username=name, display_name=name, agency_code=code,
                                  roles=["admin"], password=password, policy=password_policy())
        except InvalidDataError as err:
            raise click.UsageError(f"{err.message}: {in_english(err.details)}") from err
        db.session.commit()
        click.echo(f"admin '{name}' created in agency {code}")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load demo agencies, users, processes and running demo cases (skipped if agencies exist)."""
        from app.demo import load_demo

        if db.session.scalars(select(Agency)).first() is not None:
            click.echo("demo data present: skipped")
        else:
            load_demo(db.session, Path(current_app.config["BPMN_DIR"]))
            db.session.commit()
            from app.demo_cases import load_demo_cases

            click.echo("Demo cases:")
            for case in load_demo_cases(db.session):
                waiting = ", ".join(f"{task}@{agency}" for task, agency in case.waiting) or "-"
                click.echo(f"  case {case.key:<20} {case.process:<24} waiting: {waiting}"
                           f"{'  OVERDUE' if case.overdue else ''}")
            db.session.commit()
        from app.demo import DEMO_PASSWORD, DEMO_USERS

        click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, _name, agency, roles in DEMO_USERS:
            click.echo(f"  {username:<18} {agency:<22} {', '.join(roles)}")
