"""Issuing, checking and revoking bearer tokens; checking credentials."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows.accounts.passwords import verify_password
from workflows.audit import record
from workflows.clock import now
from workflows.errors import DomainError
from workflows.models import ApiToken, User

TOKEN_LIFETIME = timedelta(hours=12)


class AuthenticationError(DomainError):
    """Wrong credentials or an invalid token."""

    status = 401


def digest(secret: str) -> str:
    """Tokens and session secrets are stored only as digests, so a database leak reveals none."""
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with these credentials, else AuthenticationError (same message and work either way)."""
    user = session.scalars(select(User).where(User.username == username)).first()
    # The hash is checked first, for unknown and inactive users too: refusing them faster would tell who exists.
    if not verify_password(user, password) or user is None or not user.active:
        record(session, "auth.failed", payload={"username": username[:80]})
        raise AuthenticationError("wrong_credentials")
    return user


def issue_token(session: Session, user: User) -> tuple[str, ApiToken]:
    """A new random bearer token for the user; the plain token is returned once."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=digest(token), expires_at=now() + TOKEN_LIFETIME)
    session.add(row)
    record(session, "auth.token_issued", actor=user)
    return token, row


# Every API request runs this: the user (with the agency, joined by the mapper) in one statement, the
# token's validity checked in SQL, no token object built.
_USER_FOR_TOKEN = (select(User).join(ApiToken, ApiToken.user_id == User.id)
                   .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked.is_(False),
                          ApiToken.expires_at > bindparam("at"), User.active.is_(True)))


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to."""
    return session.scalars(_USER_FOR_TOKEN, {"digest": digest(token), "at": now()}).first()


def revoke_token(session: Session, user: User, token: str) -> None:
    """Revoke the user's token at once (the caller's own: a client logging out of the API)."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token),
                                                 ApiToken.user_id == user.id)).first()
    if row is not None and not row.revoked:
        row.revoked = True
        record(session, "auth.token_revoked", actor=user, payload={"token_id": row.id})
