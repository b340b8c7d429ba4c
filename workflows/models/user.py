"""Users of agencies and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from workflows.clock import now
from workflows.db import Base, JSONType, UTCDateTime
from workflows.models.agency import Agency

# werkzeug's default (scrypt); tests lower the cost through this one setting.
PASSWORD_HASH_METHOD = "scrypt"

# Roles that see every instance regardless of participation.
OVERSEEING_ROLES = frozenset({"admin", "supervisor"})


class User(Base):
    """A person working for one agency, with one or more roles there."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)  # login name
    display_name: Mapped[str] = mapped_column(String(120))  # shown in queues and history
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # employer
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)  # liaison, leader, admin, supervisor, ...
    password_hash: Mapped[str] = mapped_column(String(256))  # werkzeug scrypt/pbkdf2 hash
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # deactivated users cannot log in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # account creation

    agency: Mapped[Agency] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)

    def has_role(self, role: str) -> bool:
        """Tell whether the user holds the role."""
        return role in (self.roles or [])

    @property
    def oversees(self) -> bool:
        """Admins and supervisors see every instance."""
        return bool(OVERSEEING_ROLES.intersection(self.roles or []))

    # Flask-Login protocol, kept here so the web layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        """Inactive users cannot log in."""
        return self.active

    @property
    def is_authenticated(self) -> bool:
        """A loaded user is authenticated."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """A loaded user is never anonymous."""
        return False

    def get_id(self) -> str:
        """Identify the user in the session cookie."""
        return str(self.id)


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)  # owner
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # issue time
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # no use after this instant
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)  # revoked tokens are refused

    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(Base):
    """A signed-in page session: the session cookie carries its secret, only the SHA-256 digest is stored.

    Logging out ends the row, so a copy of the cookie stops working; so do deactivation and a new password.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)  # who signed in
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the cookie's secret
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)  # sign-in time
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # no use after this instant, whatever the cookie says
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # logout, deactivation or password change

    user: Mapped[User] = relationship(lazy="joined")
