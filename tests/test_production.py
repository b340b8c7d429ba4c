"""The production shape end to end: scripts/run-production.sh itself, with PostgreSQL, Redis, two server
processes and a timer worker on free ports and a temporary data directory, driven over HTTP.

Needs root or sudo (Debian's packages, the postgres user); `make test-production` runs it, `make test` not.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REGISTER

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parent.parent
LOGIN = {"username": "jd_msa_liaison", "password": "xietong-demo"}
LOGIN_LIMIT = 5  # LOGIN_RATE_LIMIT below; the first login of the test counts too
ACCOUNT_LIMIT = 3  # LOGIN_ACCOUNT_RATE_LIMIT below: refused passwords of one account


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """Every live descendant of a process."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Whether a process exists (and is not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Shape:
    """The running script: HTTP calls to its servers and a look at its output."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port
        self.output = data / "shape.log"
        env = {k: v for k, v in os.environ.items() if k not in {
            "DATABASE_URL", "TEST_DATABASE_URL", "RATELIMIT_STORAGE_URI", "SECRET_KEY", "XIETONG_CONFIG",
            "PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT", "FLASK_APP"}}
        self.pg_port = free_port()
        env.update({"VENV": sys.prefix, "XIETONG_DATA_DIR": str(data / "data"), "BIND": f"127.0.0.1:{port}",
                    "PG_PORT": str(self.pg_port), "WEB_PROCESSES": "2", "TIMER_WORKERS": "1", "DEMO": "1",
                    "TIMER_INTERVAL_SECONDS": "1", "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per 10 minutes",
                    "LOGIN_ACCOUNT_RATE_LIMIT": f"{ACCOUNT_LIMIT} per 10 minutes",
                    # One trusted proxy hop, so that attempts can come from several (loopback) addresses.
                    "PROXY_FIX_HOPS": "1", "GRACEFUL_TIMEOUT": "10"})
        with self.output.open("w") as out:
            self.process = subprocess.Popen(["bash", str(ROOT / "scripts" / "run-production.sh")], cwd=ROOT,
                                            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             ) -> tuple[int, dict[str, str], Any]:
        """One request on a new connection: status, headers and the JSON (or text) body."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, head, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            status, head, raw = err.code, dict(err.headers), err.read()
        text = raw.decode()
        return status, head, json.loads(text) if head.get("Content-Type", "").startswith("application/json") else text

    def wait_ready(self, seconds: float) -> None:
        """Poll /readyz until it answers 200."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the script ended:\n{self.tail()}"
            try:
                if self.call("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise AssertionError(f"not ready after {seconds} s:\n{self.tail()}")

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON lines of the output."""
        lines = []
        for line in self.output.read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def tail(self) -> str:
        """The end of the output, for failure messages."""
        return "\n".join(self.output.read_text().splitlines()[-40:])

    def processes(self) -> set[int]:
        """The script's descendants and the PostgreSQL server (which pg_ctl detaches)."""
        postmaster = self.data / "data" / "pgdata" / "postmaster.pid"
        pids = children_of(self.process.pid)
        if postmaster.exists():
            pids.add(int(postmaster.read_text().split()[0]))
        return pids

    def kill(self) -> None:
        """Leave nothing behind after a failure."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def shape() -> Iterator[Shape]:
    """The production shape on a temporary data directory that the postgres user may enter."""
    data = Path(tempfile.mkdtemp(prefix="xietong-production-"))
    data.chmod(0o755)
    running = Shape(data, free_port())
    try:
        yield running
    finally:
        if running.process.poll() is None or any(alive(pid) for pid in running.processes()):
            running.kill()
        shutil.rmtree(data, ignore_errors=True)


def metric(text: str, name: str, **labels: str) -> float:
    """A sample of the /metrics text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(f"{name}{{{wanted}}}" if labels else name) + r" ([0-9.e+-]+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def complete_first_task(shape: Shape, token: dict[str, str]) -> None:
    """Start a case transfer and complete its registration over the API."""
    status, _, instance = shape.call("POST", "/api/v1/process-instances", {
        "process_key": "case_transfer", "business_key": "E2E-2026-001"}, {**token, "X-Request-ID": "e2e-start-1"})
    assert status == 201, instance
    _, _, queue = shape.call("GET", "/api/v1/work-items?view=queue", headers=token)
    item = next(i for i in queue if i["instance_id"] == instance["id"] and i["task_name"] == "task_register")
    assert shape.call("POST", f"/api/v1/work-items/{item['id']}/claim", {}, token)[0] == 200
    status, _, done = shape.call("POST", f"/api/v1/work-items/{item['id']}/complete", {"data": REGISTER}, token)
    assert status == 200 and done["status"] == "completed", done


def check_metrics(shape: Shape) -> None:
    """The scrape adds up both server processes and the timer worker."""
    deadline = time.monotonic() + 30
    while True:
        status, _, text = shape.call("GET", "/metrics")
        assert status == 200
        if metric(text, "xietong_timer_passes_total") >= 1 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert metric(text, "xietong_timer_passes_total") >= 1, "no timer-worker pass in the metrics"
    assert metric(text, "xietong_request_duration_seconds_count",
                  endpoint="work_items.complete_work_item", method="POST") == 1
    assert metric(text, "xietong_requests_total", endpoint="instances.start_process_instance", method="POST",
                  status="201") == 1
    assert metric(text, "xietong_instances_started_total") == 1  # demo data was loaded before the servers
    assert metric(text, "xietong_work_items_opened_total") >= 2
    assert metric(text, "xietong_work_items_completed_total") == 1
    assert "xietong_instances_in_error " in text


def check_request_log(shape: Shape, token_user: int) -> None:
    """The start request left one JSON line carrying the id the client sent."""
    lines = [line for line in shape.log_lines() if line.get("request_id") == "e2e-start-1"]
    assert len(lines) == 1, lines
    assert {k: lines[0][k] for k in ("logger", "method", "path", "endpoint", "status", "user_id", "remote_addr")} == {
        "logger": "xietong.request", "method": "POST", "path": "/api/v1/process-instances",
        "endpoint": "instances.start_process_instance", "status": 201, "user_id": token_user,
        "remote_addr": "127.0.0.1"}


def check_shared_login_limit(shape: Shape) -> None:
    """Logins beyond the limit are refused whichever server process takes them."""
    def attempt(n: int) -> int:
        return shape.call("POST", "/api/v1/auth/token", LOGIN, {"X-Request-ID": f"e2e-limit-{n}"})[0]

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(attempt, range(12)))
    assert sorted(codes) == [201] * (LOGIN_LIMIT - 1) + [429] * (12 - LOGIN_LIMIT + 1), codes
    served_by = {line["process"] for line in shape.log_lines()
                 if str(line.get("request_id", "")).startswith("e2e-limit-")}
    assert len(served_by) == 2, f"all attempts landed on one process: {served_by}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def page_login(shape: Shape, username: str, password: str, address: str) -> int:
    """Sign in through the form as a browser behind the proxy at the address; the status (302: signed in)."""
    _, head, page = shape.call("GET", "/login", headers={"X-Forwarded-For": address})
    cookie = head["Set-Cookie"]
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax")), cookie  # production cookies
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token.group(1)})
    request = urllib.request.Request(f"http://127.0.0.1:{shape.port}/login", data=form.encode(), method="POST",
                                     headers={"Cookie": cookie.split(";", 1)[0], "X-Forwarded-For": address,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def check_shared_account_limit(shape: Shape) -> None:
    """Refused passwords of one account count in both server processes together, from any address, and the
    spent account is held on the API and the sign-in page alike; other accounts are not."""
    wrong = {"username": "jd_msa_leader", "password": "not-the-password"}

    def attempt(n: int) -> int:
        headers = {"X-Forwarded-For": f"127.0.1.{n + 1}", "X-Request-ID": f"e2e-account-{n}"}
        return shape.call("POST", "/api/v1/auth/token", wrong, headers)[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(attempt, range(10)))
    # The limit is tested before the password is checked and counted after the refusal, so two processes
    # checking at the same moment may each let one attempt through: at most one more than the limit.
    assert ACCOUNT_LIMIT <= codes.count(401) <= ACCOUNT_LIMIT + 1, codes
    assert codes.count(401) + codes.count(429) == len(codes), codes
    served_by = {line["process"] for line in shape.log_lines()
                 if str(line.get("request_id", "")).startswith("e2e-account-")}
    assert len(served_by) == 2, f"all attempts landed on one process: {served_by}"
    right = {**wrong, "password": LOGIN["password"]}
    assert shape.call("POST", "/api/v1/auth/token", right, {"X-Forwarded-For": "127.0.2.1"})[0] == 429
    assert page_login(shape, "jd_msa_leader", LOGIN["password"], "127.0.2.2") == 429
    assert page_login(shape, "jd_police_leader", LOGIN["password"], "127.0.2.3") == 302
    other = {"username": "jd_police_liaison", "password": LOGIN["password"]}
    assert shape.call("POST", "/api/v1/auth/token", other, {"X-Forwarded-For": "127.0.1.1"})[0] == 201


def check_redis_outage_falls_back(shape: Shape) -> None:
    """Without Redis each process counts logins in its own memory, and says so in the log."""
    redis = [pid for pid in children_of(shape.process.pid)
             if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"redis-server")]
    assert len(redis) == 1
    os.kill(redis[0], signal.SIGKILL)
    while alive(redis[0]):
        time.sleep(0.1)
    status, _, body = shape.call("POST", "/api/v1/auth/token", LOGIN)  # Redis still held the spent limit
    assert status == 201, body
    assert any(line.get("logger") == "flask-limiter" and "falling back to in-memory" in line["message"]
               for line in shape.log_lines())


def psql(shape: Shape, role: str, sql: str) -> subprocess.CompletedProcess:
    """One statement through the cluster's socket as a role (as the postgres user: the socket is its own)."""
    sockets = shape.data / "data" / "run" / "postgres"
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    psql_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1]
    return subprocess.run([*as_postgres, str(psql_bin), "-h", str(sockets), "-p", str(shape.pg_port), "-U", role,
                           "-d", "xietong", "-XAtc", sql], capture_output=True, text=True, timeout=60)


def check_audit_trail(shape: Shape) -> None:
    """The servers connect as the application's role, which cannot change the trail; the chain verifies;
    the timer worker logged its head."""
    sessions = psql(shape, "postgres", "SELECT DISTINCT usename FROM pg_stat_activity "
                                       "WHERE datname = 'xietong' AND backend_type = 'client backend' "
                                       "AND pid <> pg_backend_pid()")
    assert sessions.stdout.split() == ["xietong_app"], sessions
    for statement in ("UPDATE audit_event SET type = 'forged'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        refused = psql(shape, "xietong_app", statement)
        assert refused.returncode != 0 and "permission denied" in refused.stderr, refused
    refused = psql(shape, "xietong_owner", "TRUNCATE audit_event")  # the owner: the trigger refuses
    assert refused.returncode != 0 and "append-only" in refused.stderr, refused
    env = {**os.environ, "FLASK_APP": "wsgi.py", "XIETONG_CONFIG": "production",
           "SECRET_KEY": (shape.data / "data" / "secret_key").read_text().strip(),
           "DATABASE_URL": f"postgresql+psycopg://xietong_app@/xietong?host={shape.data / 'data' / 'run' / 'postgres'}"
                           f"&port={shape.pg_port}"}
    verified = subprocess.run([str(Path(sys.prefix) / "bin" / "flask"), "audit-verify"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0 and verified.stdout.startswith("OK: "), verified
    heads = [line["audit_head"] for line in shape.log_lines() if line["message"].startswith("audit chain head")]
    assert heads and heads[0]["seq"] >= 1, "the timer worker logged no audit chain head"


def test_production_shape_end_to_end(shape: Shape) -> None:
    shape.wait_ready(300)
    assert shape.call("GET", "/healthz")[2] == {"status": "ok"}
    status, headers, body = shape.call("POST", "/api/v1/auth/token", LOGIN)
    assert status == 201, body
    token = {"Authorization": f"Bearer {body['token']}"}
    complete_first_task(shape, token)
    check_metrics(shape)
    check_request_log(shape, body["user"]["id"])
    check_shared_login_limit(shape)
    check_shared_account_limit(shape)
    check_audit_trail(shape)
    processes = shape.processes()
    assert len(processes) >= 6, processes  # gunicorn + 2 workers, timer worker, Redis, PostgreSQL
    check_redis_outage_falls_back(shape)
    shape.process.send_signal(signal.SIGTERM)
    assert shape.process.wait(timeout=90) == 143, shape.tail()
    assert not [pid for pid in processes if alive(pid)], shape.tail()
    assert shape.output.read_text().rstrip().endswith("run-production: stopped")
    assert [line["level"] for line in shape.log_lines() if line["message"].startswith("timer worker stopping")] == [
        "INFO"]  # the timer worker logs JSON too
    secret = shape.data / "data" / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
