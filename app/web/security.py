"""Who may see a page: sign-in redirects, role checks, CSRF on every form, errors as HTML."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from app.errors import data_refused, handle_http
from app.extensions import csrf, db
from app.web.blueprint import admin_bp, auth_bp, web_bp
from app.web.messages import shown
from app.web.wording import role_label
from workflows.errors import DomainError
from workflows.models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NOT_PAGES = ("/api/", "/static/", "/healthz", "/readyz", "/metrics")  # these answer errors in JSON


def init_app(app: Flask) -> None:
    """Check the CSRF token of every unsafe request, except API calls that carry no cookie authority."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    csrf.init_app(app)

    @app.before_request
    def protect_forms() -> None:
        if request.method in SAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.path.startswith("/api/") and _api_without_cookie_authority():
            return
        csrf.protect()

    @app.errorhandler(NotFound)
    @app.errorhandler(MethodNotAllowed)
    def unknown_page(err: HTTPException) -> Any:
        """A URL no route matches (an id past what a column holds, too): a page outside /api/, else JSON."""
        if request.path.startswith(NOT_PAGES):
            return handle_http(err)
        return error_page(err.code or 404, _("This page does not exist.") if isinstance(err, NotFound)
                          else _("This page does not take that method."))


def _api_without_cookie_authority() -> bool:
    """A bearer-token call, or one with no session cookie, cannot be forged by another site."""
    scheme = request.headers.get("Authorization", "").partition(" ")[0]
    return scheme.lower() == "bearer" or current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def signed_in_user() -> User:
    """The signed-in user as the model the services take."""
    return current_user._get_current_object()


def login_required(view: Callable) -> Callable:
    """Send anonymous visitors to the sign-in page, then back."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def roles_required(*roles: str) -> Callable:
    """Refuse the page (403) unless the signed-in user holds one of the roles."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not any(current_user.has_role(role) for role in roles):
                names = ", ".join(role_label(role) for role in roles)
                return error_page(403, _("This page needs the role: %(roles)s", roles=names))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def error_page(status: int, message: str) -> tuple[str, int]:
    """An HTML error page; the request's transaction is rolled back."""
    db.session.rollback()
    return render_template("error.html", status=status, message=message), status


def html_errors(blueprint: Blueprint) -> None:
    """Answer the blueprint's failures with HTML pages instead of the API's JSON."""

    @blueprint.errorhandler(DomainError)
    def domain_error(err: DomainError) -> Any:
        return error_page(err.status, shown(err.msg))

    @blueprint.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> Any:
        return error_page(400, _("The form expired or was not sent from this site. Reload the page and try again."))

    @blueprint.errorhandler(RateLimitExceeded)
    def rate_limited(err: RateLimitExceeded) -> Any:
        return error_page(429, _("Too many attempts. Wait a few minutes and try again."))

    @blueprint.errorhandler(DataError)
    def data_error(err: DataError) -> Any:
        data_refused(err)
        return error_page(422, _("A value in the request is out of range or cannot be stored."))

    @blueprint.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        # A view's own reason (already in the page language), else a sentence of ours: werkzeug's
        # default descriptions are English.
        own = err.description if err.description and err.description != type(err).description else None
        return error_page(err.code or 500, own or _http_reason(err.code or 500))


def _http_reason(status: int) -> str:
    """What a page says of a refusal no view explained, by status."""
    if status == 404:
        return _("This page or file does not exist.")
    if status == 413:
        return _("What was sent is too large.")
    if status == 410:
        return _("This is no longer available.")
    if status == 405:
        return _("This page does not take that method.")
    return _("The request could not be handled.")


for _blueprint in (web_bp, auth_bp, admin_bp):  # once per process: blueprints are shared by every app
    html_errors(_blueprint)
