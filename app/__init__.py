"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import inputs, logs
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
    _behind_proxies(app)
    logs.init_app(app)  # first, so that its clock and request id cover every other hook
    inputs.init_app(app)  # the bounded `<int:...>` converter (before any route is added), strict JSON
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    login_manager.init_app(app)
    limiter.init_app(app)
    rest_api.init_app(app)
    _register(app)
    return app


def _behind_proxies(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host/-Port from exactly PROXY_FIX_HOPS proxies (none by default)."""
    hops = int(app.config.get("PROXY_FIX_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops)


def _register(app: Flask) -> None:
    """Attach blueprints, error handlers, auth loaders, probes, metrics and CLI commands."""
    from app import audit_cli, auth, cli, errors, headers, health, metrics, timers, transactions, web
    from app.api import register_api

    transactions.init_app(app)
    headers.init_app(app)
    health.init_app(app)
    metrics.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    register_api(rest_api)
    cli.init_app(app)
    audit_cli.init_app(app)
    timers.init_app(app)
    web.init_app(app)
