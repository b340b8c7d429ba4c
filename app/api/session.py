"""Logging in and out over the API: tokens, who am I, one's own password."""

from __future__ import annotations

from typing import Any

from flask_login import login_required
from flask_smorest import abort

from app.api.blueprint import Blueprint
from app.api.docs import PUBLIC, answers
from app.api.schemas import ChangePasswordSchema, TokenRequestSchema, TokenSchema, UserSchema
from app.auth import acting_user, bearer_token, password_policy
from app.extensions import db
from app.login_limits import count_refusal, limit_login, limit_password_change
from workflows.accounts.lifecycle import WrongPasswordError, change_own_password
from workflows.accounts.tokens import AuthenticationError, authenticate, issue_token, revoke_token

blp = Blueprint("session", __name__, url_prefix="/api/v1", description="Authentication")


@blp.route("/auth/token", methods=["POST"])
@blp.doc(security=PUBLIC)
@answers(401, 429)
@limit_login
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(args: dict[str, Any]) -> dict[str, Any]:
    """Exchange a username and password for a bearer token (throttled per address and per account)."""
    try:
        user = authenticate(db.session, args["username"], args["password"])
    except AuthenticationError:
        count_refusal()
        db.session.commit()  # keep the audit event of the failed attempt
        raise
    token, row = issue_token(db.session, user)
    db.session.commit()
    return {"token": token, "token_type": "Bearer", "expires_at": row.expires_at, "user": user}


@blp.route("/auth/token", methods=["DELETE"])
@login_required
@blp.doc(description="400 when the request carries no bearer token (a page session signs out at /logout).")
@blp.response(204)
def delete_token() -> None:
    """Revoke the bearer token this request carries; it is refused from now on."""
    token = bearer_token()
    if token is None:
        abort(400, message="send the token to revoke as the bearer token (pages sign out at /logout)")
    revoke_token(db.session, acting_user(), token)
    db.session.commit()


@blp.route("/me")
@login_required
@blp.response(200, UserSchema)
def get_me() -> Any:
    """The calling user with agency and roles."""
    return acting_user()


@blp.route("/me/password", methods=["POST"])
@login_required
@answers(429)
@limit_password_change
@blp.arguments(ChangePasswordSchema)
@blp.response(204)
def change_my_password(args: dict[str, Any]) -> None:
    """Change one's own password; every session and token of the caller ends, this token too."""
    try:
        change_own_password(db.session, acting_user(), args["current_password"], args["new_password"],
                            password_policy())
    except WrongPasswordError:
        count_refusal()
        db.session.commit()  # keep the audit event of the failed attempt
        raise
    db.session.commit()
