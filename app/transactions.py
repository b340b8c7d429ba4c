"""How a request's database transaction ends when the view did not end it."""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def end_read_transaction(exc: BaseException | None) -> None:
    """End a read request's transaction with COMMIT instead of the ROLLBACK of closing the session.

    Both end a transaction that wrote nothing the same way, but psycopg forgets every prepared
    statement of the connection on a ROLLBACK: a server answering reads between writes would have
    PostgreSQL plan every statement afresh (measured on bench/served: planning was most of
    PostgreSQL's CPU). Requests that write commit in the view; failures roll back as before.
    """
    if exc is not None or request.method not in READ_METHODS or db.session().get_transaction() is None:
        return
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()


def init_app(app: Flask) -> None:
    """Register the teardown (it runs before Flask-SQLAlchemy closes the session)."""
    app.teardown_request(end_read_transaction)
