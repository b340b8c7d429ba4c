"""Issuing and checking bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.audit import record
from workflows.clock import now
from workflows.errors import DomainError
from workflows.models import ApiToken, User

TOKEN_LIFETIME = timedelta(hours=12)


class AuthenticationError(DomainError):
    """Wrong credentials or an invalid token."""

    status = 401


def _digest(token: str) -> str:
    """Tokens are stored only as digests, so a database leak reveals none."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with these credentials, else AuthenticationError (same message either way)."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active or not user.check_password(password):
        record(session, "auth.failed", payload={"username": username[:80]})
        raise AuthenticationError("wrong username or password")
    return user


def issue_token(session: Session, user: User) -> tuple[str, ApiToken]:
    """A new random bearer token for the user; the plain token is returned once."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=now() + TOKEN_LIFETIME)
    session.add(row)
    record(session, "auth.token_issued", actor=user)
    return token, row


def user_for_token(session: Session, token: str) -> User | None:
    """The user a valid, unexpired, unrevoked token belongs to."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    if row is None or row.revoked or row.expires_at <= now() or not row.user.active:
        return None
    return row.user
