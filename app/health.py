"""Probes for a load balancer or orchestrator: /healthz (the process answers), /readyz (it can serve)."""

from __future__ import annotations

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Response:
    """The process is up; touches nothing else, so a slow database never restarts healthy servers."""
    return jsonify(status="ok")


@bp.route("/readyz")
@limiter.exempt
def readyz() -> Response | tuple[Response, int]:
    """The database answers and its schema is at the migrations' head; else 503 with the reason."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as err:
        return _unready(f"database unreachable: {type(err).__name__}")
    expected = migration_heads()
    if current != expected:
        found = ", ".join(sorted(current)) or "none"
        return _unready(f"database at revision {found}, the code needs {', '.join(sorted(expected))}: "
                        "run `flask db upgrade`")
    return jsonify(status="ok", revision=", ".join(sorted(current)))


def migration_heads() -> set[str]:
    """The head revisions of the shipped migrations (read once per process: they change only with the code)."""
    heads = current_app.extensions.get("xietong_migration_heads")
    if heads is None:
        config = AlembicConfig()
        config.set_main_option("script_location", current_app.extensions["migrate"].directory)
        heads = current_app.extensions["xietong_migration_heads"] = set(ScriptDirectory.from_config(config).get_heads())
    return heads


def _unready(reason: str) -> tuple[Response, int]:
    """A 503 saying why."""
    return jsonify(status="unavailable", reason=reason), 503


def init_app(app: Flask) -> None:
    """Register the probes."""
    app.register_blueprint(bp)
