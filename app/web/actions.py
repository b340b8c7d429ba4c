"""One way for a page to run a service call: commit on success; on a refusal roll back, say why, go back."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect

from app.extensions import db
from app.web.messages import shown
from workflows.errors import ConflictError, DomainError

T = TypeVar("T")


def attempt(action: Callable[[], T], failure: Callable[[str], str], back: str,
            refused: tuple[type[DomainError], ...] = (ConflictError,)) -> T:
    """Run `action` and commit; if it is refused, roll back, flash `failure(reason)` and redirect to `back`.

    The redirect leaves through `abort`, so a view reads as its happy path. Errors not in `refused`
    (a permission the page should not have offered, say) go on to the usual error pages.
    """
    try:
        result = action()
    except refused as err:
        db.session.rollback()
        flash(failure(shown(err.msg)), "error")
        abort(redirect(back))
    db.session.commit()
    return result
