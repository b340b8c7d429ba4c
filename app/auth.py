"""Who is calling: bearer tokens for the API, the session cookie for pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, g, request
from flask_login import current_user

from app.errors import error_response
from app.extensions import db, login_manager
from workflows.models import User
from workflows.tokens import user_for_token


def init_app(app: Flask) -> None:
    """Register Flask-Login's loaders and the 401 answer."""

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user and user.active else None

    @app.before_request
    def load_from_token() -> None:
        # A bearer token, when sent, decides who calls, whatever session cookie the client also holds.
        g.pop("_login_user", None)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            user = user_for_token(db.session, token.strip()) if token.strip() else None
            g._login_user = user or login_manager.anonymous_user()

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        return error_response(401, "log in or send a valid bearer token")


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
                return error_response(403, f"this needs the role '{role}'")
            return view(*args, **kwargs)
        return wrapped
    return decorator
