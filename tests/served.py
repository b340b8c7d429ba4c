"""The application served by gunicorn in several processes against the test database, and a racing client.

SQLite serialises writers and a single process serialises requests; lost updates show only when
separate server processes handle two conflicting requests at the same moment, as in production.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

Call = tuple[str, str, str | None, Any]  # method, path, bearer token, JSON body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running gunicorn with its address; requests go over real TCP connections."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
        """One request on a fresh connection; (status, parsed JSON body or None)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        return response.status, json.loads(raw) if raw else None

    def race(self, *calls: Call) -> list[tuple[int, Any]]:
        """Send the calls at the same moment from separate threads (separate connections); results in order."""
        barrier = threading.Barrier(len(calls))
        results: list[tuple[int, Any] | None] = [None] * len(calls)

        def send(index: int, call: Call) -> None:
            barrier.wait()
            results[index] = self.call(*call)

        threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        assert all(r is not None for r in results), "a racing request did not finish"
        return results  # type: ignore[return-value]

    def wait_until_up(self, timeout: float = 60) -> None:
        """Poll until the server answers (401 for an anonymous caller is an answer)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.call("GET", "/api/v1/me")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def serve(database_url: str, workers: int = 4, log: Any = None) -> Iterator[Served]:
    """Run gunicorn with `workers` processes on the database until the generator is closed.

    The server's output goes to `log` (a file) when given, else to this process's.
    """
    port = _free_port()
    env = {**os.environ, "XIETONG_SERVED_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "tests.served_app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        served = Served(port)
        served.wait_until_up()
        yield served
    finally:
        process.terminate()
        process.wait(30)
