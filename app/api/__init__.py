"""The JSON API under /api/v1, documented by flask-smorest's OpenAPI."""

from __future__ import annotations

from flask_smorest import Api

from app.api.docs import register_security


def register_api(api: Api) -> None:
    """Register every API blueprint."""
    from app.api import attachments, definitions, directory, instances, notices, session, statistics, work_items

    for module in (session, directory, definitions, instances, work_items, attachments, notices, statistics):
        api.register_blueprint(module.blp)
    register_security(api.spec)
