"""Domain errors; the web layer maps each to an HTTP status.

An error is a message (workflows.messages): a catalog code and its parameters, never a sentence.
`details` holds field errors ({field: [Message]}) or a diagram's problems (a list of dicts).
"""

from __future__ import annotations

from typing import Any

from workflows.messages import CodedError


class DomainError(CodedError):
    """Base of errors a user can understand and act on."""

    status = 400

    def __init__(self, code: str, /, details: Any = None, **params: Any) -> None:
        super().__init__(code, **params)
        self.details = details


class NotFoundError(DomainError):
    """The object does not exist (or the caller may not know it exists)."""

    status = 404


class PermissionDeniedError(DomainError):
    """The caller's agency or role does not allow the action."""

    status = 403


class ConflictError(DomainError):
    """The object's state changed, or does not allow the action now."""

    status = 409


class InvalidDataError(DomainError):
    """Submitted data fails validation; details lists the errors."""

    status = 422
