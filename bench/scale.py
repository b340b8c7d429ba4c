"""Lists at a province's scale: p50/p95 and statement counts of every list and the dashboard.

Run `make bench-scale`, or `python -m bench.scale [--instances N] [--rounds R] [--backend B]`.
It fills SQLite and PostgreSQL (a throw-away server started by scripts/with-postgres.sh) with
175,000 instances and about a million work items of ~100 agencies (`bench.scale_fill`), then
times each request through the Flask app in-process (test client, a real user's bearer token or
signed-in session), so authentication and serialization count. Requests alternate round by
round, so a change of machine load falls on all of them. Target: every list and the dashboard
at p95 <= 25 ms on PostgreSQL, with a constant number of statements.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 25.0
INSTANCES = 175_000
# (what, who, path): API paths with the user's bearer token, pages in the user's signed-in session.
# "after:N:<path>" is the path's page N, reached by following its X-Next-Cursor.
REQUESTS = [
    ("queue", "jd_msa_liaison", "/api/v1/work-items?view=queue"),
    ("mine", "jd_msa_liaison", "/api/v1/work-items?view=mine"),
    ("overdue", "jd_msa_liaison", "/api/v1/work-items?view=overdue"),
    ("completed", "jd_msa_liaison", "/api/v1/work-items?view=completed"),
    ("completed, page 50", "jd_msa_liaison", "after:50:/api/v1/work-items?view=completed"),
    ("instances", "jd_msa_liaison", "/api/v1/process-instances"),
    ("instances, page 50", "jd_msa_liaison", "after:50:/api/v1/process-instances"),
    ("notices", "jd_msa_liaison", "/api/v1/notices"),
    ("unread count", "jd_msa_liaison", "/api/v1/notices/unread-count"),
    ("queue page (HTML)", "jd_msa_liaison", "/work-items"),
    ("dashboard (HTML)", "jd_msa_leader", "/dashboard"),
    ("overdue, supervised too", "jd_procurator", "/api/v1/work-items?view=overdue"),
    ("overdue, all agencies", "jd_supervisor", "/api/v1/work-items?view=overdue"),
    ("instances, all agencies", "jd_supervisor", "/api/v1/process-instances"),
    ("dashboard, all agencies (HTML)", "jd_supervisor", "/dashboard"),
]


@dataclass
class Measured:
    """One request's timings (ms) in each repetition, its statement counts and rows."""

    what: str
    who: str
    runs: list[list[float]] = field(default_factory=list)
    statements: set[int] = field(default_factory=set)
    rows: int | None = None

    def p(self, q: int) -> float:
        """The median over the repetitions of each one's q-th percentile, in ms."""
        return statistics.median(statistics.quantiles(times, n=100, method="inclusive")[q - 1] for times in self.runs)


def _app(url: str) -> Any:
    import workflows.models.user as user_model
    from app import create_app

    user_model.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # the directory's logins are not under test
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})


def _real_state(session: Any) -> tuple[int, str]:
    """Run one case transfer six steps through the services; its id and its engine state as stored."""
    from sqlalchemy import select, text

    from bench.case_transfer import HAPPY_PATH
    from workflows.models import User, WorkItem
    from workflows.work.instances import start_instance
    from workflows.work.work_items import claim, complete

    def user(name: str) -> User:
        return session.scalars(select(User).where(User.username == name)).one()

    instance = start_instance(session, user("jd_msa_liaison"), "case_transfer", business_key="BENCH-REAL")
    session.commit()
    for _task, username, data in HAPPY_PATH[:6]:
        item = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                      WorkItem.status == "open")).one()
        claim(session, user(username), item)
        complete(session, user(username), item, data)
        session.commit()
    state = session.execute(text("SELECT CAST(state AS TEXT) FROM process_instance WHERE id = :id"),
                            {"id": instance.id}).scalar_one()
    return instance.id, state


def _fill(app: Any, instances: int) -> dict[str, Any]:
    """Migrate, load the directory and processes, then write the history in bulk; what was written."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app.demo import load_demo
    from app.extensions import db
    from bench import scale_fill

    started = time.perf_counter()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_demo(db.session, ROOT / "bpmn")
        db.session.commit()
        found = scale_fill.build_directory(db.session)
        _, state = _real_state(db.session)
        generator = scale_fill.Generator(found, state, datetime.now(UTC))
        for table in generator.ids:
            generator.ids[table] = db.session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()
        db.session.close()
        raw = db.engine.raw_connection()
        try:
            for batch in generator.batches(instances):
                scale_fill.write(raw.driver_connection, db.engine.dialect.name, batch)
            scale_fill.finish(raw.driver_connection, db.engine.dialect.name, generator)
        finally:
            raw.close()
        counts = scale_fill.row_counts(db.session)
        counts["agencies"] = len(found.staff)
        counts["state bytes"] = len(state)
    counts["fill seconds"] = round(time.perf_counter() - started)
    return counts


class Clients:
    """A bearer token and a signed-in test client for each user."""

    def __init__(self, app: Any) -> None:
        self.app, self.tokens, self.pages = app, {}, {}
        self.api = app.test_client()

    def get(self, who: str, path: str) -> Any:
        """GET the path as the user: the API with the token, a page in the session."""
        from app.demo import DEMO_PASSWORD

        if path.startswith("/api/"):
            if who not in self.tokens:
                answer = self.api.post("/api/v1/auth/token", json={"username": who, "password": DEMO_PASSWORD})
                self.tokens[who] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
            return self.api.get(path, headers=self.tokens[who])
        if who not in self.pages:
            client = self.app.test_client()
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
            client.post("/login", data={"username": who, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
            self.pages[who] = client
        return self.pages[who].get(path)

    def resolve(self, who: str, path: str) -> str:
        """A plain path, or the page an `after:N:` path names (following the cursors)."""
        if not path.startswith("after:"):
            return path
        _, pages, path = path.split(":", 2)
        for _ in range(int(pages) - 1):
            cursor = self.get(who, path).headers.get("X-Next-Cursor")
            if cursor is None:
                break
            path = re.sub(r"[?&]after=[^&]*", "", path)
            path += ("&" if "?" in path else "?") + f"after={cursor}"
        return path


def measure(app: Any, rounds: int, repeat: int) -> list[Measured]:
    """Time every request `repeat` times `rounds` times, alternating them round by round, after a warm-up."""
    from sqlalchemy import event

    from app.extensions import db
    from bench.case_transfer import settle

    clients = Clients(app)
    plan = [(Measured(what, who), who, clients.resolve(who, path)) for what, who, path in REQUESTS]
    with app.app_context():
        engine = db.engine
    sent = [0]

    def count(*_args: Any) -> None:
        sent[0] += 1

    _rounds(clients, plan, 2, sent)  # warm-up: caches, compiled statements, the pool
    settle()  # as a server after loading the app: no collection walks the heap built so far
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            for measured, _, _ in plan:
                measured.runs.append([])
            _rounds(clients, plan, rounds, sent)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return [m for m, _, _ in plan]


def _rounds(clients: Clients, plan: list[tuple[Measured, str, str]], rounds: int, sent: list[int]) -> None:
    """Send every request once per round; record time, statements and rows (none while warming up)."""
    for _ in range(rounds):
        for measured, who, path in plan:
            sent[0] = 0
            started = time.perf_counter()
            answer = clients.get(who, path)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, (path, answer.status_code, answer.get_data(as_text=True)[:300])
            if measured.runs:
                measured.runs[-1].append(elapsed)
                measured.statements.add(sent[0])
                body = answer.get_json(silent=True)
                measured.rows = len(body) if isinstance(body, list) else None


def check_plans(app: Any) -> dict[str, list[str]]:
    """The plans the database chose itself for every statement of every request (tests.plans, strict)."""
    from app.extensions import db
    from tests.plans import capture, check

    clients = Clients(app)
    calls = {f"{what} ({who})": (lambda w=who, p=clients.resolve(who, path): clients.get(w, p))
             for what, who, path in REQUESTS}
    with app.app_context():
        engine = db.engine
    return check(engine, capture(engine, calls), analyze=False, steer=False, strict=True)


def report(backend: str, counts: dict[str, Any], results: list[Measured], problems: dict[str, list[str]],
           verbose: bool = False) -> None:
    """Print the table of one backend and the target."""
    print(f"\n{backend}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"{'request':34} {'user':16} {'p50 ms':>8} {'p95 ms':>8} {'statements':>10} {'rows':>5}"
          f"   (median of {len(results[0].runs)} repetitions of {len(results[0].runs[0])} rounds)")
    for m in results:
        statements = "/".join(str(s) for s in sorted(m.statements))
        print(f"{m.what:34} {m.who:16} {m.p(50):8.1f} {m.p(95):8.1f} {statements:>10} {m.rows or '':>5}")
    worst = max(results, key=lambda m: m.p(95))
    constant = all(len(m.statements) == 1 for m in results)
    verdict = "met" if worst.p(95) <= TARGET_MS and constant else "NOT met"
    scope = "the target" if backend == "PostgreSQL" else "as the PostgreSQL target would be (it is PostgreSQL's)"
    print(f"p95 <= {TARGET_MS:.0f} ms and statements constant, {scope}: {verdict}; "
          f"slowest p95 {worst.p(95):.1f} ms ({worst.what}); statements constant per request: {constant}")
    print("plans: " + ("every statement reads an index for its filter and order" if not problems else
                       f"{len(problems)} statement(s) where the planner chose otherwise:"))
    if problems and counts.get("work_item", 0) < 200_000:
        print("  (small tables: a planner rightly scans or sorts them; the check speaks for the full size)")
    for statement, found in problems.items():
        shown = found if verbose else found[:found.index("--- plan:")]
        print(f"  {statement[:160]}\n    " + "\n    ".join(shown))


def run(backend: str, url: str, args: argparse.Namespace) -> None:
    """Fill (unless reused), measure and report one backend."""
    from app.extensions import db
    from bench.scale_fill import row_counts

    app = _app(url)
    if args.reuse:
        with app.app_context():
            counts: dict[str, Any] = row_counts(db.session)
    else:
        counts = _fill(app, args.instances)
    results = measure(app, args.rounds, args.repeat)
    report(backend, counts, results, check_plans(app), args.plans)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=INSTANCES, help="instances to write (about 5.8 items each)")
    parser.add_argument("--rounds", type=int, default=40, help="timed requests of each kind per repetition")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; the table shows their medians")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--sqlite-path", default=str(Path(tempfile.gettempdir()) / "xietong-bench-scale.sqlite"))
    parser.add_argument("--postgres-url", help="an existing PostgreSQL database (else a throw-away server)")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run left (no fill)")
    parser.add_argument("--plans", action="store_true", help="print the whole plan of a statement with a problem")
    return parser.parse_args()


def main() -> None:
    """Run the benchmark on the chosen backends."""
    args = _arguments()
    if args.backend in ("both", "sqlite"):
        if not args.reuse and os.path.exists(args.sqlite_path):
            os.remove(args.sqlite_path)
        run("SQLite", f"sqlite:///{args.sqlite_path}", args)
    if args.backend in ("both", "postgresql"):
        url = args.postgres_url or os.environ.get("TEST_DATABASE_URL")
        if url:
            run("PostgreSQL", url, args)
            return
        # A throw-away server for this run: the script the test suite uses starts it, then runs us again.
        command = [sys.executable, "-m", "bench.scale", "--backend", "postgresql", "--instances", str(args.instances),
                   "--rounds", str(args.rounds), "--repeat", str(args.repeat), *(["--plans"] if args.plans else [])]
        sys.stdout.flush()
        subprocess.run(["bash", str(ROOT / "scripts/with-postgres.sh"), *command], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
