"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.extensions import configure_sqlite, db, limiter, login_manager, migrate, rest_api
from config import get_config


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from a settings class and optional overrides (tests pass their own)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(get_config(config_name))
    app.config.update(overrides or {})
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    login_manager.init_app(app)
    limiter.init_app(app)
    rest_api.init_app(app)
    _register(app)
    return app


def _register(app: Flask) -> None:
    """Attach blueprints, error handlers, auth loaders and CLI commands."""
    from app import auth, cli, errors, timers, web
    from app.api import register_api

    auth.init_app(app)
    errors.init_app(app)
    register_api(rest_api)
    cli.init_app(app)
    timers.init_app(app)
    web.init_app(app)
