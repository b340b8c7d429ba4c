"""One JSON error format for every failure, including the framework's own."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from workflows.errors import DomainError
from workflows.messages import in_english, message

log = logging.getLogger(__name__)
# A value the database refused: its range or its form (see handle_data_error).
DATA_ERROR_MESSAGE = "a value in the request is out of range or not storable"


def error_response(status: int, message: str, errors: Any = None, *, code: str | None = None,
                   params: dict[str, Any] | None = None) -> Any:
    """A JSON error body: {"code", "params", "message", "status", "errors"?}.

    `code` names the message in the catalog (workflows.messages), `params` its values and `message`
    is its English rendering; the framework's own failures (a 404 route, a 405) answer with the code
    `http_<status>` and their English description. Field errors are English texts by field.
    """
    body: dict[str, Any] = {"code": code or f"http_{status}", "params": params or {}, "message": message,
                            "status": status}
    if errors is not None:
        body["errors"] = in_english(errors)
    response = jsonify(body)
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Register the handlers; every one rolls back the request's transaction."""

    @app.errorhandler(DomainError)
    def handle_domain_error(err: DomainError) -> Any:
        db.session.rollback()
        return error_response(err.status, err.message, err.details, code=err.code, params=err.params)

    @app.errorhandler(StaleDataError)
    def handle_stale(err: StaleDataError) -> Any:
        db.session.rollback()
        changed = message("instance_changed")
        return error_response(409, changed.english, code=changed.code)

    @app.errorhandler(DataError)
    def handle_data_error(err: DataError) -> Any:
        return error_response(422, data_refused(err), code="value_refused")

    app.register_error_handler(HTTPException, handle_http)


def handle_http(err: HTTPException) -> Any:
    """The framework's errors (404, 405, webargs' 422...) in the one JSON format."""
    db.session.rollback()
    data = getattr(err, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if isinstance(messages, dict) and len(messages) == 1 and "json" in messages:
        messages = messages["json"]  # webargs nests body errors under the location
    return error_response(err.code or 500, data.get("message") or err.description or err.name, messages)


def data_refused(err: DataError) -> str:
    """Roll back and log a value the database refused; the message to answer with (422).

    The last line only: numbers and text from outside are checked before they reach a statement
    (app.inputs, the API's schemas, workflows.strict_json). A value that still gets through is a
    client's mistake, not a server failure, but a gap in those checks: logged as a warning, with
    the database's reason and without the parameters (they may hold personal data).
    """
    db.session.rollback()
    log.warning("the database refused a value of %s %s: %s", request.method, request.path,
                str(err.orig).splitlines()[0] if err.orig is not None else type(err).__name__)
    return DATA_ERROR_MESSAGE
