"""Timer passes at scale: N instances whose BPMN timers, then whose deadlines, all fall due at once.

Run with `make bench-timers` (PostgreSQL, started by scripts/with-postgres.sh, and SQLite), or
`python -m bench.timers [--sizes 2000 10000] [--workers 1 2] [--backend postgresql sqlite]`
with TEST_DATABASE_URL pointing at a PostgreSQL server for that backend.

Each size is set up once through the services (start N instances of tests/data/timers/fanout.bpmn,
each waiting on a one-hour timer before a task whose two-hour deadline escalates to the
procuratorate), then copied for every run (`CREATE DATABASE ... TEMPLATE`, or a file copy), so
every run starts from the same rows. A run starts W worker processes together, each running
`fire_due_timers` as `flask run-timers --once` does, first at the instant the timers are due
(the engine fires them and creates the work items), then at the instant the deadlines are missed
(the items are marked overdue, notices go to the holder and the procuratorate). It prints the wall
time of each pass, instances per second, the 2-worker speed-up and 2,000 → 10,000 linearity.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = ROOT / "tests/data/timers/fanout.bpmn"
T0 = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
TIMERS_DUE = T0 + timedelta(hours=1, minutes=1)
DEADLINES_MISSED = T0 + timedelta(hours=3, minutes=2)


def _app(url: str) -> Any:
    from app import create_app

    return create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                                       "RATELIMIT_STORAGE_URI": "memory://"})


def build(url: str, size: int) -> None:
    """Migrate an empty database, load the demo directory and start `size` instances at T0."""
    from flask_migrate import upgrade

    from app.demo import load_demo
    from app.extensions import db
    from workflows.clock import set_clock
    from workflows.deployment.deploy import deploy
    from workflows.models import User
    from workflows.work.instances import start_instance

    app = _app(url)
    with app.app_context():
        upgrade()
        load_demo(db.session, None)
        deploy(db.session, DIAGRAM.read_bytes(), {}, None)
        user = db.session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
        set_clock(lambda: T0)
        for n in range(size):
            start_instance(db.session, user, "timer_fanout", business_key=f"B-{n}")
            if n % 200 == 199:
                db.session.commit()
        db.session.commit()
        set_clock(None)
        db.session.remove()
        db.engine.dispose()


def _worker(url: str, at: str, start: Any, results: Any) -> None:
    """One timer worker process: wait for the start signal, run one pass at `at`, report (count, seconds)."""
    from app.extensions import db
    from workflows.clock import set_clock
    from workflows.work.timer_worker import fire_due_timers

    app = _app(url)
    instant = datetime.fromisoformat(at)
    set_clock(lambda: instant)
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # connect before the clock starts
        db.session.rollback()
        start.wait(120)
        began = time.perf_counter()
        count = fire_due_timers(db.session)
        results.put((count, time.perf_counter() - began))
        db.session.remove()
        db.engine.dispose()


def one_pass(url: str, at: datetime, workers: int) -> tuple[int, float]:
    """Run `workers` processes through one pass together; (instances processed, wall seconds)."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=_worker, args=(url, at.isoformat(), start, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    time.sleep(3)  # let every worker import the app and connect
    began = time.perf_counter()
    start.set()
    counts = [results.get(timeout=3600) for _ in processes]
    wall = time.perf_counter() - began
    for process in processes:
        process.join(60)
    return sum(c for c, _ in counts), wall


def check(url: str, size: int) -> None:
    """Every deadline was missed exactly once: `size` overdue items, two notices each, nothing left due."""
    from workflows.models import Notice, ProcessInstance, WorkItem

    engine = create_engine(url)
    with engine.connect() as conn:
        overdue = conn.scalar(select(func.count(WorkItem.id)).where(WorkItem.overdue_at.is_not(None)))
        missed = conn.scalar(select(func.count(Notice.id)).where(Notice.kind == "deadline_missed"))
        pending = conn.scalar(select(func.count(ProcessInstance.id)).where(
            ProcessInstance.next_timer_due_at < DEADLINES_MISSED))
    engine.dispose()
    assert (overdue, missed, pending) == (size, 2 * size, 0), (overdue, missed, pending)


class Postgres:
    """Databases on the server of TEST_DATABASE_URL: one built per size, copied for every run."""

    def __init__(self, server_url: str) -> None:
        self.url = make_url(server_url)
        self.admin = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def _recreate(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def base(self, size: int) -> str:
        """An empty database for the size's set-up."""
        return self._recreate(f"timers_base_{size}")

    def run_copy(self, size: int) -> str:
        """A fresh copy of the size's set-up."""
        return self._recreate("timers_run", f"timers_base_{size}")


class Sqlite:
    """Files in a temporary folder: one built per size, copied for every run."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="xietong-timers-"))

    def base(self, size: int) -> str:
        """A new file for the size's set-up."""
        return f"sqlite:///{self.folder / f'base_{size}.sqlite'}"

    def run_copy(self, size: int) -> str:
        """A fresh copy of the size's set-up (its engine was disposed, so the WAL is checkpointed)."""
        target = self.folder / "run.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.folder / f"base_{size}.sqlite", target)
        return f"sqlite:///{target}"


def measure(backend: Any, sizes: list[int], workers: list[int]) -> list[tuple[int, int, str, int, float]]:
    """(size, workers, pass, processed, seconds) for every size, worker count and pass."""
    rows = []
    for size in sizes:
        build(backend.base(size), size)
        for count in workers:
            url = backend.run_copy(size)
            for name, at in (("timers", TIMERS_DUE), ("deadlines", DEADLINES_MISSED)):
                processed, seconds = one_pass(url, at, count)
                rows.append((size, count, name, processed, seconds))
            check(url, size)
    return rows


def report(title: str, rows: list[tuple[int, int, str, int, float]]) -> None:
    """Print the passes, the speed-up of 2 workers over 1 and the linearity across sizes."""
    print(f"\n{title}")
    print(f"{'instances':>10} {'workers':>7} {'pass':>10} {'processed':>9} {'seconds':>8} {'inst/s':>8}")
    times = {}
    for size, count, name, processed, seconds in rows:
        times[size, count, name] = seconds
        print(f"{size:>10} {count:>7} {name:>10} {processed:>9} {seconds:>8.2f} {processed / seconds:>8.0f}")
    sizes = sorted({r[0] for r in rows})
    for name in ("timers", "deadlines"):
        for size in sizes:
            if (size, 1, name) in times and (size, 2, name) in times:
                print(f"{name} pass, {size}: 2 workers ×{times[size, 1, name] / times[size, 2, name]:.2f} "
                      "(target ≥ ×1.7 on PostgreSQL)")
        if len(sizes) >= 2 and (sizes[0], 1, name) in times and (sizes[-1], 1, name) in times:
            ratio = times[sizes[-1], 1, name] / times[sizes[0], 1, name]
            print(f"{name} pass, 1 worker: {sizes[0]} → {sizes[-1]} took ×{ratio:.2f} as long "
                  f"(linear: ×{sizes[-1] / sizes[0]:.1f}; target ≤ ×5.5 for 2,000 → 10,000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--backend", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    args = parser.parse_args()
    for name in args.backend:
        if name == "postgresql":
            server = os.environ.get("TEST_DATABASE_URL")
            if not server:
                raise SystemExit("PostgreSQL needs TEST_DATABASE_URL (make bench-timers starts a server)")
            report("PostgreSQL", measure(Postgres(server), args.sizes, args.workers))
        else:
            report("SQLite", measure(Sqlite(), args.sizes, args.workers))


if __name__ == "__main__":
    main()
