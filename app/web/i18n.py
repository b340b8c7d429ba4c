"""Languages: Simplified Chinese by default, English when the user switches."""

from __future__ import annotations

from flask import Flask, redirect, request, session, url_for
from werkzeug.wrappers import Response

from app.extensions import babel
from app.web.blueprint import auth_bp
from app.web.redirects import safe_next

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
DISPLAY_TIMEZONE = "Asia/Shanghai"


def init_app(app: Flask) -> None:
    """Choose the language per request from the session (or ?lang= for a single page)."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DISPLAY_TIMEZONE)
    babel.init_app(app, locale_selector=current_language, timezone_selector=lambda: DISPLAY_TIMEZONE)


def current_language() -> str:
    """The page language: ?lang= wins, then the session's choice, then Chinese."""
    for choice in (request.args.get("lang"), session.get("lang")):
        if choice in LANGUAGES:
            return choice
    return DEFAULT_LANGUAGE


@auth_bp.route("/language/<code>")
def switch_language(code: str) -> Response:
    """Remember the chosen language for this browser session and go back."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("web.index")))
