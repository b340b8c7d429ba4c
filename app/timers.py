"""The timer worker inside the web process, for development (production runs `flask run-timers` beside it)."""

from __future__ import annotations

import logging
import signal
import threading
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.metrics import observe_timer_pass
from workflows.audit.chain import current_head
from workflows.work.timer_worker import fire_due_timers

log = logging.getLogger(__name__)
HEAD_LOG_SECONDS = 24 * 3600  # how often a timer worker logs the audit chain's head


def run_loop(app: Flask, interval: float, stop: threading.Event | None = None, once: bool = False) -> int:
    """Fire due timers every `interval` seconds until stopped; return how many instances were processed.

    The audit chain's head is logged at the first pass and then once a day (README, "Audit trail").
    """
    total, head_logged = 0, None
    while True:
        total += _one_pass(app)
        if head_logged is None or time.monotonic() - head_logged >= HEAD_LOG_SECONDS:
            log_chain_head(app)
            head_logged = time.monotonic()
        if once or (stop is not None and stop.wait(interval)):
            return total
        if stop is None:
            time.sleep(interval)


def _one_pass(app: Flask) -> int:
    """Fire what is due now; record the pass in the metrics and, when it did something, in the log."""
    started, processed = time.perf_counter(), 0
    with app.app_context():
        try:
            processed = fire_due_timers(db.session)
        except Exception:  # a lost database connection must not end the loop
            log.exception("timer pass failed")
        finally:
            db.session.remove()
    seconds = time.perf_counter() - started
    observe_timer_pass(processed, seconds)
    if processed:
        log.info("timer pass processed %s instance(s)", processed,
                 extra={"processed": processed, "duration_ms": round(seconds * 1000, 1)})
    return processed


def log_chain_head(app: Flask) -> None:
    """Log the audit chain's last event (`audit_head`: seq, hash, time): a copy outside the database."""
    with app.app_context():
        try:
            head = current_head(db.session.connection())
        except SQLAlchemyError:
            log.warning("audit chain head not logged: database error", exc_info=True)
            return
        finally:
            db.session.remove()
    if head is not None:
        log.info("audit chain head %s:%s", head.seq, head.hash, extra={"audit_head": head.as_dict()})


def stop_on_signals() -> None:
    """End the worker on SIGTERM as on Ctrl-C: the instance in hand is rolled back and fired again later."""
    def _stop(signum: int, _frame: object) -> None:
        log.info("timer worker stopping (signal %s)", signum)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def init_app(app: Flask) -> None:
    """Start the in-process worker with the first request when TIMER_WORKER_IN_PROCESS is set.

    Starting on the first request, not at import, keeps CLI commands such as `flask db upgrade`
    from starting a worker.
    """
    if not app.config.get("TIMER_WORKER_IN_PROCESS"):
        return
    started = threading.Event()
    lock = threading.Lock()

    @app.before_request
    def _start_timer_worker() -> None:
        if started.is_set():
            return
        with lock:
            if started.is_set():
                return
            interval = float(app.config.get("TIMER_INTERVAL_SECONDS", 30))
            threading.Thread(target=run_loop, args=(app, interval), name="xietong-timers", daemon=True).start()
            started.set()
            log.info("in-process timer worker started (every %ss)", interval)
