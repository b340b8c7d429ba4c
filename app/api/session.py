"""Logging in over the API: tokens, and who am I."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import login_required
from flask_smorest import Blueprint

from app.api.schemas import TokenRequestSchema, TokenSchema, UserSchema
from app.auth import acting_user
from app.extensions import db, limiter
from workflows.tokens import authenticate, issue_token

blp = Blueprint("session", __name__, url_prefix="/api/v1", description="Authentication")


def _login_limit() -> str:
    """The configured login rate limit, read per request so tests may change it."""
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/auth/token", methods=["POST"])
@limiter.limit(_login_limit)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(args: dict[str, Any]) -> dict[str, Any]:
    """Exchange a username and password for a bearer token."""
    try:
        user = authenticate(db.session, args["username"], args["password"])
    except Exception:
        db.session.commit()  # keep the audit event of the failed attempt
        raise
    token, row = issue_token(db.session, user)
    db.session.commit()
    return {"token": token, "token_type": "Bearer", "expires_at": row.expires_at, "user": user}


@blp.route("/me")
@login_required
@blp.response(200, UserSchema)
def get_me() -> Any:
    """The calling user with agency and roles."""
    return acting_user()
