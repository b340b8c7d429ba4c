"""The case-transfer happy path as users feel it: over HTTP against the production shape, and in-process.

Run with `make bench-served` (PostgreSQL started by scripts/with-postgres.sh), or
`python -m bench.served [--instances N] [--clients C] [--processes P]` with TEST_DATABASE_URL set.

One run, one machine: the same happy path (start, then claim and complete eight work items of four
agencies, filed and prosecuted) goes (1) through the services in this process, one transaction per
request as a server would, and (2) over HTTP to gunicorn serving the app with the production
settings (JSON request logs, metrics, P processes) on the same PostgreSQL server, driven by C client
threads. A client reads only when the next task belongs to another user: start and complete answer
with the items their caller may take next (`next_items`). It prints completed work items per second,
p50/p95 of each request kind, and the CPU time per instance of the server processes and of
PostgreSQL (from /proc), against the in-process figure of the same run.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.case_transfer import HAPPY_PATH

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


# --- the database: one fresh database on the server, migrated, with the demo directory and processes

def prepare(server_url: str) -> tuple[str, dict[str, str]]:
    """A fresh database `served_bench` ready for the happy path; (its URL, bearer token by username)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.demo import load_demo
    from app.extensions import db
    from workflows.accounts.tokens import issue_token
    from workflows.deployment.deploy import deploy_folder
    from workflows.models import User

    url = make_url(server_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "served_bench"'))
        conn.execute(text('CREATE DATABASE "served_bench"'))
    admin.dispose()
    bench_url = url.set(database="served_bench").render_as_string(hide_password=False)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": bench_url, "SECRET_KEY": "bench",
                                    "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        load_demo(db.session, None)
        deploy_folder(db.session, ROOT / "bpmn")
        users = {u.username: u for u in db.session.scalars(select(User))}
        tokens = {name: issue_token(db.session, users[name])[0] for name in {u for _t, u, _d in HAPPY_PATH}}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return bench_url, tokens


# --- CPU time of processes, from /proc ------------------------------------------------------------

def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the given processes so far (gone ones count as zero)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def children(pid: int) -> list[int]:
    """The direct child processes of `pid` (gunicorn's server processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def postgres_pids(backends: bool | None = None) -> list[int]:
    """The PostgreSQL server's processes: all, or only the connections' backends (True) or the rest (False)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() not in ("postgres", "postmaster"):
                    continue
                serving = "served_bench" in (entry / "cmdline").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if backends is None or backends == serving:
                found.append(int(entry.name))
    return found


# --- the server ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, processes: int, log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn with the production settings (gunicorn.conf.py, XIETONG_CONFIG=production)."""
    port = _free_port()
    metrics = tempfile.mkdtemp(prefix="xietong-metrics-")
    env = {**os.environ, "XIETONG_CONFIG": "production", "DATABASE_URL": url, "SECRET_KEY": "bench",
           "RATELIMIT_STORAGE_URI": "memory://", "WEB_PROCESSES": str(processes), "BIND": f"127.0.0.1:{port}",
           "PROMETHEUS_MULTIPROC_DIR": metrics, "LOG_FORMAT": "json", "SESSION_COOKIE_SECURE": "0"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(processes), "--bind", f"127.0.0.1:{port}",
               "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            Client(port).call("GET", "/api/v1/me", None)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log}") from None
            time.sleep(0.2)
    while len(children(server.pid)) < processes:
        time.sleep(0.1)
    return server, port


# --- the client ------------------------------------------------------------------------------------

class Client:
    """One connection, kept open as long as the server allows; latencies recorded by request kind."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.latencies: dict[str, list[float]] = defaultdict(list)

    def call(self, method: str, path: str, token: str | None, body: Any = None, kind: str = "") -> Any:
        """Send one request; return the parsed body (raising on an unexpected status)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        began = time.perf_counter()
        try:
            self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (http.client.HTTPException, ConnectionError):
            self.conn.close()  # the server closed a kept-alive connection: open a new one once
            self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        if kind:
            self.latencies[kind].append(time.perf_counter() - began)
            if response.status >= 300:
                raise RuntimeError(f"{kind} {path}: {response.status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


def happy_path(client: Client, tokens: dict[str, str], key: str) -> None:
    """One instance from start to prosecution, reading only when the next task is another user's."""
    first_user = HAPPY_PATH[0][1]
    instance = client.call("POST", "/api/v1/process-instances", tokens[first_user],
                           {"process_key": "case_transfer", "business_key": key}, kind="start")
    offered, holder = instance["next_items"], first_user
    for task, user, data in HAPPY_PATH:
        if user != holder:  # another agency's or role's turn: its user reads the case
            offered = client.call("GET", f"/api/v1/process-instances/{instance['id']}/next-items", tokens[user],
                                  kind="read")
        (item,) = [i for i in offered if i["task_name"] == task]
        client.call("POST", f"/api/v1/work-items/{item['id']}/claim", tokens[user], kind="claim")
        done = client.call("POST", f"/api/v1/work-items/{item['id']}/complete", tokens[user], {"data": data},
                           kind="complete")
        offered, holder = done["next_items"], user
    assert done["instance_status"] == "completed", done


def served(port: int, tokens: dict[str, str], instances: int, clients: int,
           prefix: str = "S") -> tuple[float, dict[str, list[float]]]:
    """Run `instances` happy paths over HTTP from `clients` threads; (wall seconds, latencies by kind).

    Each case gets its own number (`prefix-n`): a case number names one case of a process.
    """
    numbers = itertools.count()
    workers = [Client(port) for _ in range(clients)]

    def drive(client: Client) -> None:
        while (n := next(numbers)) < instances:
            happy_path(client, tokens, f"{prefix}-{n}")

    threads = [threading.Thread(target=drive, args=(c,)) for c in workers]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies: dict[str, list[float]] = defaultdict(list)
    for client in workers:
        for kind, values in client.latencies.items():
            latencies[kind] += values
    return wall, latencies


def in_process(url: str, instances: int) -> tuple[float, float]:
    """CPU seconds of this process and of PostgreSQL for `instances` happy paths through the services."""
    from app import create_app
    from bench.case_transfer import service_layer
    from workflows.models import User

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                                    "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        from app.extensions import db

        ids = {u.username: u.id for u in db.session.scalars(select(User))}
    run = service_layer((app, ids))
    run(3)  # warm the definition cache and open the pooled connection
    pg = postgres_pids(True)
    began, pg_began = time.process_time(), cpu_seconds(pg)
    run(instances)
    return time.process_time() - began, cpu_seconds(pg) - pg_began


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of the values, in milliseconds."""
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000 if len(values) > 1 else values[0] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=150, help="happy paths over HTTP")
    parser.add_argument("--clients", type=int, default=6, help="client threads")
    parser.add_argument("--processes", type=int, default=2, help="gunicorn server processes")
    parser.add_argument("--in-process", type=int, default=30, help="happy paths through the services in-process")
    args = parser.parse_args()
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        raise SystemExit("needs TEST_DATABASE_URL (make bench-served starts a PostgreSQL server)")
    url, tokens = prepare(server_url)
    log = Path(tempfile.mkdtemp(prefix="xietong-served-")) / "server.log"
    server, port = start_server(url, args.processes, log)
    try:
        served(port, tokens, args.clients * 2, args.clients, prefix="W")  # warm every server process
        pids, pg, background = children(server.pid) + [server.pid], postgres_pids(True), postgres_pids(False)
        app_cpu, pg_cpu, bg_cpu = cpu_seconds(pids), cpu_seconds(pg), cpu_seconds(background)
        wall, latencies = served(port, tokens, args.instances, args.clients)
        app_cpu, pg_cpu = cpu_seconds(pids) - app_cpu, cpu_seconds(pg) - pg_cpu
        bg_cpu = cpu_seconds(background) - bg_cpu
    finally:
        server.terminate()
        server.wait(30)
    local, local_pg = in_process(url, args.in_process)
    items = args.instances * len(HAPPY_PATH)
    per_instance = app_cpu / args.instances * 1000
    print(f"case_transfer happy path ({len(HAPPY_PATH)} work items), PostgreSQL, {args.instances} instances over HTTP "
          f"from {args.clients} client threads to {args.processes} gunicorn processes")
    print(f"  completed work items per second: {items / wall:7.1f}   (target >= 150)")
    print(f"  server CPU per instance:         {per_instance:7.1f} ms (target <= 40)")
    print(f"  PostgreSQL CPU per instance:     {pg_cpu / args.instances * 1000:7.1f} ms in the connections' "
          f"backends, {bg_cpu / args.instances * 1000:.1f} ms in its background processes")
    print(f"  {'request':<10}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in ("start", "claim", "complete", "read"):
        values = latencies.get(kind, [])
        if values:
            print(f"  {kind:<10}{len(values):>7}{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}")
    local_ms = local / args.in_process * 1000
    print(f"in-process services, same database, 1 thread: {local_ms:.1f} ms CPU per instance "
          f"(PostgreSQL {local_pg / args.in_process * 1000:.1f} ms)")
    print(f"served / in-process CPU per instance: x{per_instance / local_ms:.2f}")


if __name__ == "__main__":
    main()
