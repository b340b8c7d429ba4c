"""Who is calling: bearer tokens for the API, the session cookie for pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from app.errors import error_response
from app.extensions import db, login_manager
from workflows.accounts.passwords import PasswordPolicy
from workflows.accounts.sessions import end_session, start_session, user_for_session
from workflows.accounts.tokens import user_for_token
from workflows.messages import message
from workflows.models import User

# The session cookie's entry holding the secret of the server-side session (workflows.accounts.sessions).
SESSION_SECRET = "login_session"


def init_app(app: Flask) -> None:
    """Register Flask-Login's loaders and the 401 answer; check the password settings at start."""
    app.extensions["password_policy"] = PasswordPolicy(min_length=int(app.config["PASSWORD_MIN_LENGTH"]))

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # A signed cookie alone is not enough: its session must still be open on the server.
        secret = session.get(SESSION_SECRET)
        if not user_id.isdigit() or not isinstance(secret, str):
            return None
        return user_for_session(db.session, int(user_id), secret)

    @app.before_request
    def load_from_token() -> None:
        # A bearer token, when sent, decides who calls, whatever session cookie the client also holds.
        g.pop("_login_user", None)
        token = bearer_token()
        if token is not None:
            user = user_for_token(db.session, token) if token else None
            g._login_user = user or login_manager.anonymous_user()

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        refusal = message("login_required")
        return error_response(401, refusal.english, code=refusal.code)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header ("" when empty), None without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def password_policy() -> PasswordPolicy:
    """The password rules of this installation (PASSWORD_MIN_LENGTH)."""
    return current_app.extensions["password_policy"]


def sign_in(user: User) -> None:
    """Start a server-side page session for the user and put its secret into the session cookie."""
    language = session.get("lang")
    session.clear()  # nothing from before the sign-in carries over (a planted CSRF token, say), but the language
    if language is not None:
        session["lang"] = language
    session[SESSION_SECRET] = start_session(db.session, user)
    login_user(user)


def sign_out() -> None:
    """End this browser's page session on the server and forget it in the cookie."""
    secret = session.pop(SESSION_SECRET, None)
    if isinstance(secret, str):
        end_session(db.session, secret)
    logout_user()


def acting_user() -> User:
    """The authenticated user of this request (views run behind login_required)."""
    return current_user._get_current_object()  # the model itself, for the services


def role_required(role: str) -> Callable:
    """Refuse the view unless the user holds the role."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                refusal = message("role_required", role=role)
                return error_response(403, refusal.english, code=refusal.code, params=refusal.params)
            return view(*args, **kwargs)
        return wrapped
    return decorator
