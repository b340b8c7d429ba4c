"""Domain errors; the web layer maps each to an HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of errors a user can understand and act on."""

    status = 400

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
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
