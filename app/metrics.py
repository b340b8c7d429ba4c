"""Prometheus metrics: requests by endpoint, committed work (from the audit trail), the timer worker, errors.

With PROMETHEUS_MULTIPROC_DIR set (the production shape), every server process and timer worker
writes its figures to files there and /metrics adds them up; without it they live in the process.
"""

from __future__ import annotations

import collections
import ipaddress
import logging
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.extensions import db, limiter
from workflows.audit import RECORDED_TYPES
from workflows.models import ProcessInstance
from workflows.work.steps import ERROR

# Labels are the Flask endpoint, never the raw path, and a fixed set of methods: bounded series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_SECONDS = Histogram("xietong_request_duration_seconds", "Time to answer a request",
                            ["endpoint", "method"])
REQUESTS = Counter("xietong_requests", "Requests answered", ["endpoint", "method", "status"])
TIMER_PASSES = Counter("xietong_timer_passes", "Passes of the timer worker over due instances")
TIMER_INSTANCES = Counter("xietong_timer_instances_processed", "Instances the timer worker processed")
TIMER_PASS_SECONDS = Histogram("xietong_timer_pass_duration_seconds", "Time of one timer-worker pass")
# Work as the audit trail records it, counted once its transaction commits.
AUDITED = {
    "instance.started": Counter("xietong_instances_started", "Process instances started"),
    "work_item.created": Counter("xietong_work_items_opened", "Work items opened"),
    "work_item.completed": Counter("xietong_work_items_completed", "Work items completed"),
    "instance.timers_fired": Counter("xietong_timers_fired", "Instances whose BPMN timer events fired"),
    "work_item.overdue": Counter("xietong_deadlines_missed", "Work items that passed their due time"),
    "instance.error": Counter("xietong_instances_stopped_in_error", "Instances stopped in error"),
}

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)


def count_committed(session: Session) -> None:
    """Count the audited work of the transaction that has just committed."""
    if session.in_nested_transaction():  # a savepoint: the outer transaction may still roll back
        return
    for type_, count in session.info.pop(RECORDED_TYPES, {}).items():
        if type_ in AUDITED:
            AUDITED[type_].inc(count)


def forget_uncommitted(session: Session, transaction: object) -> None:
    """Drop the events of an outermost transaction that ended without a commit (rolled back, closed)."""
    if getattr(transaction, "parent", None) is None:
        for key in (RECORDED_TYPES, SAVEPOINTS, ENDED_SAVEPOINT):
            session.info.pop(key, None)
    elif getattr(transaction, "nested", False) and session.info.get(SAVEPOINTS):
        # SQLAlchemy ends the savepoint before it reports a rollback: keep its snapshot for that report.
        session.info[ENDED_SAVEPOINT] = session.info[SAVEPOINTS].pop()


# session.info key: what had been recorded when each open savepoint began (the timer worker fires
# each instance in one), so that a savepoint rolled back takes its events with it.
SAVEPOINTS = "metrics.savepoints"
ENDED_SAVEPOINT = "metrics.ended_savepoint"


def remember_savepoint(session: Session, transaction: object) -> None:
    """Note the events recorded so far when a savepoint begins."""
    if getattr(transaction, "nested", False):
        session.info.setdefault(SAVEPOINTS, []).append(collections.Counter(session.info.get(RECORDED_TYPES, {})))


def forget_savepoint_events(session: Session, previous_transaction: object) -> None:
    """A savepoint rolled back: the events recorded inside it never happened."""
    if getattr(previous_transaction, "nested", False) and ENDED_SAVEPOINT in session.info:
        session.info[RECORDED_TYPES] = session.info.pop(ENDED_SAVEPOINT)


def observe_timer_pass(processed: int, seconds: float) -> None:
    """Record one pass of the timer worker."""
    TIMER_PASSES.inc()
    TIMER_INSTANCES.inc(processed)
    TIMER_PASS_SECONDS.observe(seconds)


def observe_request(response: Response) -> Response:
    """Record the request's latency by endpoint and method, and its status."""
    endpoint = request.endpoint or "unmatched"
    method = request.method if request.method in METHODS else "other"
    started = g.get("request_started")
    if started is not None:
        REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    return response


class InstancesInErrorCollector:
    """The number of instances stopped in error, counted in the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        """Yield the gauge; left out when the database fails, so that the other figures still come."""
        try:
            count = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                      .where(ProcessInstance.status == ERROR))
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("instances in error not counted: database error", exc_info=True)
            return
        yield GaugeMetricFamily("xietong_instances_in_error", "Instances stopped in error, waiting for a resume",
                                value=count or 0)


def _allowed(address: str | None) -> bool:
    """Whether the client address lies in METRICS_ALLOW."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip
    networks = current_app.extensions["xietong_metrics_allow"]
    return any(ip in network for network in networks)


@bp.route("/metrics")
@limiter.exempt
def serve_metrics() -> Response:
    """The metrics of every process, for Prometheus; only from the allowed addresses."""
    if not current_app.config["METRICS_ENABLED"]:
        abort(404)
    if not _allowed(request.remote_addr):
        abort(403, "metrics are served only to the addresses in METRICS_ALLOW")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)  # this process's own figures
    registry.register(InstancesInErrorCollector())
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Time every request, serve /metrics, and count committed work (once per process)."""
    allow = app.config["METRICS_ALLOW"]
    app.extensions["xietong_metrics_allow"] = [ipaddress.ip_network(n.strip(), strict=False)
                                               for n in allow.split(",") if n.strip()]
    app.after_request(observe_request)
    app.register_blueprint(bp)
    if not event.contains(Session, "after_commit", count_committed):
        event.listen(Session, "after_commit", count_committed)
        event.listen(Session, "after_transaction_end", forget_uncommitted)
        event.listen(Session, "after_transaction_create", remember_savepoint)
        event.listen(Session, "after_soft_rollback", forget_savepoint_events)
