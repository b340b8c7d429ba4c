"""Accounts over their lifetime: deactivation, reactivation, password reset and change.

Each change that takes access away ends all of the user's page sessions and bearer tokens in the
same transaction, so a stolen cookie or token stops working the moment the change is committed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.accounts.passwords import PasswordPolicy, require_acceptable, verify_password
from workflows.accounts.sessions import end_all_access
from workflows.audit import record
from workflows.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from workflows.messages import message
from workflows.models import User

MAX_ID = 2**31 - 1  # larger ids do not fit the column: unknown, not a database error


def require_admin(actor: User | None) -> None:
    """Directory changes are for admins (None: the set-up script)."""
    if actor is not None and not actor.has_role("admin"):
        raise PermissionDeniedError("directory_admin_only")


class WrongPasswordError(InvalidDataError):
    """The current password given with a new one is wrong (throttled like a failed login)."""


def find_user(session: Session, user_id: int) -> User:
    """The user with this id, else NotFoundError."""
    user = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFoundError("user_not_found", id=user_id)
    return user


def _about(user: User, **more: int) -> dict:
    """The audit payload naming the user an admin acted on."""
    return {"user_id": user.id, "username": user.username, **more}


def deactivate_user(session: Session, actor: User | None, user: User) -> None:
    """Refuse the user every login from now on and end their sessions and tokens (admin; not oneself)."""
    require_admin(actor)
    if actor is not None and actor.id == user.id:
        raise ConflictError("cannot_deactivate_self")
    if not user.active:
        return
    user.active = False
    record(session, "user.deactivated", actor=actor, payload=_about(user, **end_all_access(session, user)))


def reactivate_user(session: Session, actor: User | None, user: User) -> None:
    """Let a deactivated user log in again (their old sessions and tokens stay ended)."""
    require_admin(actor)
    if user.active:
        return
    user.active = True
    record(session, "user.reactivated", actor=actor, payload=_about(user))


def reset_password(session: Session, actor: User | None, user: User, password: str, policy: PasswordPolicy) -> None:
    """Give the user a new password and end their sessions and tokens (admin; own password: change it)."""
    require_admin(actor)
    if actor is not None and actor.id == user.id:
        raise ConflictError("reset_own_password")
    require_acceptable(policy, password, username=user.username, agency_code=user.agency.code,
                       message="password_not_reset")
    user.set_password(password)
    record(session, "user.password_reset", actor=actor, payload=_about(user, **end_all_access(session, user)))


def change_own_password(session: Session, user: User, current: str, new: str, policy: PasswordPolicy) -> None:
    """Replace the user's password, given the current one; every session and token of theirs ends, this one too."""
    if not verify_password(user, current):
        record(session, "auth.failed", actor=user, payload={"username": user.username, "reason": "current password"})
        raise WrongPasswordError("current_password_wrong", {"current_password": [message("field_password_wrong")]})
    require_acceptable(policy, new, username=user.username, agency_code=user.agency.code,
                       message="password_not_changed", field="new_password")
    if verify_password(user, new):
        raise InvalidDataError("password_not_changed", {"new_password": [message("field_password_same")]})
    user.set_password(new)
    record(session, "user.password_changed", actor=user, payload=_about(user, **end_all_access(session, user)))
