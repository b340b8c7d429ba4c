"""Logs: one JSON object per line in production, the request id on every record, one line per request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import IO

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wrappers import Response

# An incoming id is kept only when it cannot smuggle anything into a log line or a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID_HEADER = "X-Request-ID"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Libraries that log every step at INFO: the engine (each task's state change, with its data) and
# Alembic's plugin set-up. At INFO they would flood the log and cost CPU on every request.
QUIET_LOGGERS = ("spiff", "alembic")

request_log = logging.getLogger("xietong.request")


class RequestIdFilter(logging.Filter):
    """Stamp every record logged during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` (left out of records logged outside a request)."""
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def log_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler writing JSON (or text for people) with the request id of each record."""
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(["levelname", "name", "message", "process"], timestamp=True,
                                           rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"}))
    handler.addFilter(RequestIdFilter())
    handler._xietong = True  # type: ignore[attr-defined]  # ours, replaced when the app is built again
    return handler


def configure_logging(app: Flask) -> None:
    """Send INFO and above to stderr in LOG_FORMAT; tests keep pytest's capture unless JSON is asked for."""
    log_format = app.config["LOG_FORMAT"]
    if app.testing and log_format != "json":
        return
    root = logging.getLogger()
    if log_format == "json":
        # One format on stderr: the app owns the root logger of its processes (gunicorn's own
        # loggers keep their handlers), so nothing is written twice or as plain text.
        for handler in list(root.handlers):
            root.removeHandler(handler)
    for handler in [h for h in root.handlers if getattr(h, "_xietong", False)]:
        root.removeHandler(handler)
    root.addHandler(log_handler(log_format))
    root.setLevel(logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    app.logger.removeHandler(default_handler)  # records reach the root handler instead


def start_request() -> None:
    """Take the caller's request id when well-formed, else make one; start the clock."""
    g.request_started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def finish_request(response: Response) -> Response:
    """Return the request id and log one line about the request."""
    if "request_id" not in g:  # a request that failed before our first hook ran
        start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    user = g.get("_login_user")  # only a user the request already loaded: logging must not query
    request_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
        "user_id": user.id if getattr(user, "is_authenticated", False) else None,
        "remote_addr": request.remote_addr,
    })
    return response


def init_app(app: Flask) -> None:
    """Configure logging and stamp every request; register these hooks before any other."""
    configure_logging(app)
    app.before_request(start_request)
    app.after_request(finish_request)
