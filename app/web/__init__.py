"""Server-rendered pages: sign-in, queues, work items, instances, admin, dashboard, statistics, mediation.

Pages call the same `workflows/` services as the JSON API; each request validates its input,
loads the objects (404), checks access (403), calls one service and commits once.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Set up translations, CSRF, template helpers and the page blueprints."""
    # Importing the page modules attaches their routes to the blueprints.
    from app.web import (  # noqa: F401
        admin,
        admin_audit,
        admin_directory,
        attachments,
        auth_pages,
        dashboard,
        form_preview,
        i18n,
        instances,
        mediation,
        notices,
        page_context,
        reminders,
        security,
        site,
        statistics,
        work_item_pages,
    )
    from app.web.blueprint import admin_bp, auth_bp, web_bp

    i18n.init_app(app)
    security.init_app(app)
    page_context.init_app(app)
    for blueprint in (web_bp, auth_bp, admin_bp):
        app.register_blueprint(blueprint)
