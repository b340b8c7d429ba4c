"""What the OpenAPI document says beside the schemas: how a caller authenticates, which errors each operation answers.

Every operation declares its `security`: signed in (a bearer token, or a page session's cookie) unless its
view says `@blp.doc(security=PUBLIC)`. Every error answer has the one error body of app/errors.py, and an
operation lists the statuses it can answer (`@answers(...)`; 401 for a signed-in operation and 400 for any
operation, a malformed query or body, are added here, since every such view answers them).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest import Api
from marshmallow import Schema, fields

BEARER = "bearer"
SESSION = "session"
SIGNED_IN: list[dict[str, list[str]]] = [{BEARER: []}, {SESSION: []}]
PUBLIC: list[dict[str, list[str]]] = []

SECURITY_SCHEMES = {
    BEARER: {"type": "http", "scheme": "bearer",
             "description": "A token from POST /api/v1/auth/token (12 hours; DELETE /api/v1/auth/token revokes it)."},
    SESSION: {"type": "apiKey", "in": "cookie", "name": "session",
              "description": "The web pages' session cookie. A change (POST, DELETE) made with it, and no bearer "
                             "token, also needs the page's CSRF token in the X-CSRFToken header (else 400)."},
}



class ErrorSchema(Schema):
    """Every error answer: {"code", "params", "message", "status", "errors"?}."""

    code = fields.String(required=True, metadata={
        "description": "the message's code (a domain error such as `work_item_status`, or `http_<status>` for "
                       "the framework's own), stable across languages and wording changes"})
    params = fields.Dict(required=True, metadata={"description": "the values the message names, by name"})
    message = fields.String(required=True, metadata={"description": "the message in English"})
    status = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    errors = fields.Raw(metadata={
        "type": ["object", "array"],
        "description": "form and body errors keyed by field, English texts (object); a diagram's problems "
                       "(array of {element, name, code, params, message})"})


class XietongApi(Api):
    """flask-smorest's Api with our error body and no catch-all `default` response: statuses are listed."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


class DeclaredAccess(BasePlugin):
    """Gives every operation its `security` (signed in unless declared public) and the errors that follow from it."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        """Declare security, 401 for signed-in operations, 400 for every one (a malformed query or body)."""
        for operation in (operations or {}).values():
            security = operation.setdefault("security", SIGNED_IN)
            responses = operation.setdefault("responses", {})
            if security:
                responses.setdefault("401", HTTPStatus.UNAUTHORIZED.name)
            # Every request may be refused as malformed: a NUL or invalid UTF-8 in its query or path
            # (app/inputs.py), and for changes a body that is not JSON or a missing CSRF token.
            responses.setdefault("400", HTTPStatus.BAD_REQUEST.name)


def register_security(spec: APISpec) -> None:
    """Add the security schemes to the document."""
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)


def answers(*statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document error statuses the view answers, each with the error body (the view itself is unchanged)."""
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        doc = getattr(view, "_apidoc", {})
        responses = doc.setdefault("response", {}).setdefault("responses", {})
        for status in statuses:
            responses.setdefault(status, []).append(HTTPStatus(status).name)
        view._apidoc = doc  # type: ignore[attr-defined]
        return view
    return decorator
