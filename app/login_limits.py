"""Throttling password attempts per client address and per account, counted together for the API and the pages.

Both limits are shared limits: their counters are keyed by scope and address (or account), not by
endpoint, so a token request and a sign-in form count against the same budget. The storage is the
limiter's (Redis in production), so every server process counts into it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from flask import Response, current_app, g, request
from flask_login import current_user

from app.extensions import limiter

ADDRESS_SCOPE = "login-address"
ACCOUNT_SCOPE = "login-account"


def _address_limit() -> str:
    """Attempts per client address (read per request, so tests may change it)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    """Refused passwords per account."""
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def account_key(username: str) -> str:
    """The account's counter key: every spelling the lookup might match counts together, and no name is stored."""
    return "account:" + hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def _attempted_account() -> str:
    """The account a login names (JSON body or form)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    name = body.get("username") if isinstance(body, Mapping) else None
    return account_key(name if isinstance(name, str) else "")


def _signed_in_account() -> str:
    """The account of the caller changing their password."""
    return account_key(current_user.username if current_user.is_authenticated else "")


def count_refusal() -> None:
    """Count this request against the account: a password it checked was wrong."""
    g.password_refused = True


def _refused(response: Response) -> bool:
    """Only refused passwords use up the account's budget; its owner's successful logins do not."""
    return bool(g.get("password_refused"))


_per_address = limiter.shared_limit(_address_limit, scope=ADDRESS_SCOPE)
_per_login_account = limiter.shared_limit(_account_limit, scope=ACCOUNT_SCOPE, key_func=_attempted_account,
                                          deduct_when=_refused)
_per_own_account = limiter.shared_limit(_account_limit, scope=ACCOUNT_SCOPE, key_func=_signed_in_account,
                                        deduct_when=_refused)


def limit_login(view: Callable) -> Callable:
    """Throttle a login view per address and per the account it names."""
    return _per_address(_per_login_account(view))


def limit_password_change(view: Callable) -> Callable:
    """Throttle a change of one's own password like a login: the current password is a guess too."""
    return _per_address(_per_own_account(view))
