"""Page sessions held on the server, and ending all of a user's access at once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from workflows.accounts.tokens import digest
from workflows.audit import record
from workflows.clock import now
from workflows.models import ApiToken, LoginSession, User

# A working day; after it the cookie is refused even if a browser (or a copy of it) still holds it.
SESSION_LIFETIME = timedelta(hours=12)


def start_session(session: Session, user: User) -> str:
    """A new page session for the user; the returned secret goes into the signed session cookie."""
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, secret_hash=digest(secret), expires_at=now() + SESSION_LIFETIME))
    record(session, "auth.session_started", actor=user)
    return secret


# Every page request runs this instead of loading the user by id: one statement, validity checked in SQL.
_USER_FOR_SESSION = (select(User).join(LoginSession, LoginSession.user_id == User.id)
                     .where(LoginSession.secret_hash == bindparam("digest"), LoginSession.user_id == bindparam("uid"),
                            LoginSession.ended_at.is_(None), LoginSession.expires_at > bindparam("at"),
                            User.active.is_(True)))


def user_for_session(session: Session, user_id: int, secret: str) -> User | None:
    """The active user of an unended, unexpired session with this secret."""
    return session.scalars(_USER_FOR_SESSION, {"digest": digest(secret), "uid": user_id, "at": now()}).first()


def end_session(session: Session, secret: str) -> None:
    """End the session with this secret (logging out); copies of its cookie stop working."""
    row = session.scalars(select(LoginSession).where(LoginSession.secret_hash == digest(secret))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = now()
        record(session, "auth.session_ended", actor=row.user, payload={"session_id": row.id})


def end_all_access(session: Session, user: User) -> dict[str, int]:
    """End every page session and revoke every bearer token of the user; how many of each."""
    ended = session.execute(update(LoginSession).where(LoginSession.user_id == user.id,
                                                       LoginSession.ended_at.is_(None)).values(ended_at=now()))
    revoked = session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                                     ApiToken.revoked.is_(False)).values(revoked=True))
    return {"sessions_ended": ended.rowcount, "tokens_revoked": revoked.rowcount}
