"""gunicorn settings of the production shape (scripts/run-production.sh); the values come from config.py.

gunicorn reads this file from the working directory, so `gunicorn wsgi:app` alone serves the same way.
"""

from __future__ import annotations

import os
from typing import Any

from config import ServingConfig

bind = [ServingConfig.BIND]
workers = ServingConfig.WEB_PROCESSES
worker_class = "sync"  # one request per process at a time: CPU-bound requests, no thread switching
graceful_timeout = ServingConfig.GRACEFUL_TIMEOUT
timeout = ServingConfig.WEB_TIMEOUT
accesslog = None  # the app logs one line per request, with its id, user and endpoint (app/logs.py)
errorlog = "-"
# X-Forwarded-* are trusted by the app's ProxyFix alone (PROXY_FIX_HOPS), never by gunicorn's own rule.
forwarded_allow_ips = ""
proc_name = "xietong"
# Not the default in the home directory, where two installations on one machine would collide.
control_socket_disable = not ServingConfig.CONTROL_SOCKET
control_socket = ServingConfig.CONTROL_SOCKET or ""
if ServingConfig.LOG_FORMAT == "json":  # gunicorn's own messages (start, worker boot and exit) as JSON too
    logconfig_dict = {
        "root": {"level": "INFO", "handlers": []},  # gunicorn.error has its own handler: write each line once
        "formatters": {"generic": {
            "()": "pythonjsonlogger.json.JsonFormatter", "timestamp": True,
            "fmt": ["levelname", "name", "message", "process"],
            "rename_fields": {"levelname": "level", "name": "logger"}}},
    }


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live metrics of a server process that has exited (its counters stay in the sum)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
