"""One JSON error format for every failure, including the framework's own."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from workflows.errors import DomainError


def error_response(status: int, message: str, errors: Any = None) -> Any:
    """A JSON error body: {"code", "status", "message", "errors"?}."""
    body: dict[str, Any] = {"code": status, "status": _phrase(status), "message": message}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def _phrase(status: int) -> str:
    """The HTTP reason phrase."""
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def init_app(app: Flask) -> None:
    """Register the handlers; every one rolls back the request's transaction."""

    @app.errorhandler(DomainError)
    def handle_domain_error(err: DomainError) -> Any:
        db.session.rollback()
        return error_response(err.status, err.message, err.details)

    @app.errorhandler(StaleDataError)
    def handle_stale(err: StaleDataError) -> Any:
        db.session.rollback()
        return error_response(409, "the instance changed meanwhile; reload and try again")

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException) -> Any:
        db.session.rollback()
        data = getattr(err, "data", None) or {}
        messages = data.get("messages") or data.get("errors")
        if isinstance(messages, dict) and len(messages) == 1 and "json" in messages:
            messages = messages["json"]  # webargs nests body errors under the location
        return error_response(err.code or 500, data.get("message") or err.description or err.name, messages)
