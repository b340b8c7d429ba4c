"""Signing in and out with a session cookie, and changing one's own password (the API uses bearer tokens)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth import password_policy, sign_in, sign_out
from app.extensions import db
from app.login_limits import count_refusal, limit_login, limit_password_change
from app.web.blueprint import auth_bp
from app.web.messages import details_shown, shown
from app.web.redirects import safe_next
from app.web.security import login_required, signed_in_user
from workflows.accounts.lifecycle import WrongPasswordError, change_own_password
from workflows.accounts.passwords import MAX_LENGTH
from workflows.accounts.tokens import authenticate
from workflows.errors import DomainError


@auth_bp.route("/login", methods=["GET"])
def login() -> str:
    """The sign-in form."""
    return render_template("auth/login.html", next=safe_next(request.args.get("next"), ""))


@auth_bp.route("/login", methods=["POST"])
@limit_login
def submit_login() -> Any:
    """Check the credentials; on success start a session held on the server (throttled like the API's login)."""
    username = request.form.get("username", "").strip()[:80]
    password = request.form.get("password", "")[:MAX_LENGTH]
    target = safe_next(request.form.get("next"), url_for("web.index"))
    try:
        user = authenticate(db.session, username, password)
    except DomainError:
        count_refusal()
        db.session.commit()  # keep the audit event of the failed attempt
        flash(_("Wrong user name or password."), "error")
        return render_template("auth/login.html", next=target, username=username), 401
    sign_in(user)
    db.session.commit()
    return redirect(target)


@auth_bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session on the server, so that no copy of the cookie works any more."""
    sign_out()
    db.session.commit()
    return redirect(url_for("auth.login"))


def _password_form(errors: dict[str, list[str]], status: int) -> tuple[str, int]:
    """The password form again, with the reasons at their fields."""
    return render_template("auth/password.html", errors=errors, min_length=password_policy().min_length), status


@auth_bp.route("/account/password", methods=["GET"])
@login_required
def edit_password() -> str:
    """The form to change one's own password."""
    return _password_form({}, 200)[0]


@auth_bp.route("/account/password", methods=["POST"])
@login_required
@limit_password_change
def change_password() -> Any:
    """Change one's own password; every session and token ends, so the user signs in again."""
    form = request.form
    new = form.get("new_password", "")[:MAX_LENGTH + 1]  # one more, so that too long is said, not cut
    if new != form.get("new_password_again", "")[:MAX_LENGTH + 1]:
        return _password_form({"new_password_again": [_("The two entries differ.")]}, 422)
    try:
        change_own_password(db.session, signed_in_user(), form.get("current_password", "")[:MAX_LENGTH], new,
                            password_policy())
    except WrongPasswordError as err:
        count_refusal()
        db.session.commit()  # keep the audit event of the failed attempt
        return _password_form(details_shown(err.details), 422)
    except DomainError as err:
        db.session.rollback()
        return _password_form(details_shown(err.details) or {"_": [shown(err.msg)]}, 422)
    sign_out()
    db.session.commit()
    flash(_("Your password was changed. Sign in with the new password."), "success")
    return redirect(url_for("auth.login"))
