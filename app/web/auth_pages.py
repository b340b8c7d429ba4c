"""Signing in and out with a session cookie (the API uses bearer tokens instead)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from app.extensions import db, limiter
from app.web.blueprint import auth_bp
from app.web.i18n import safe_next
from workflows.errors import DomainError
from workflows.tokens import authenticate


def _login_limit() -> str:
    """The same rate limit as the API's token endpoint."""
    return current_app.config["LOGIN_RATE_LIMIT"]


@auth_bp.route("/login", methods=["GET"])
def login() -> str:
    """The sign-in form."""
    return render_template("auth/login.html", next=request.args.get("next", ""))


@auth_bp.route("/login", methods=["POST"])
@limiter.limit(_login_limit)
def submit_login() -> Any:
    """Check the credentials; on success start a cookie session."""
    username = request.form.get("username", "").strip()[:80]
    password = request.form.get("password", "")[:200]
    target = safe_next(request.form.get("next"), url_for("web.index"))
    try:
        user = authenticate(db.session, username, password)
    except DomainError:
        db.session.commit()  # keep the audit event of the failed attempt
        flash(_("Wrong user name or password."), "error")
        return render_template("auth/login.html", next=target, username=username), 401
    login_user(user)
    db.session.commit()
    return redirect(target)


@auth_bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session."""
    logout_user()
    return redirect(url_for("auth.login"))
