"""The audit chain: how long verifying it takes, and what linking costs a committing writer.

`python -m bench.audit_chain [--events 200000]` on a throw-away SQLite file, and on PostgreSQL with
TEST_DATABASE_URL (a database `xietong_bench_audit` is created beside it and dropped after).
It records the events through the services' path (`record`, then a commit per 100 events, as a busy
server would), then times `verify_chain` over all of them and over the latest 10,000 (the admin
page's default), and the commits of 2,000 one-event transactions from 1 and from 4 threads (each
takes the chain's lock from linking to COMMIT).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PAYLOAD = {"data": {"admin_case_no": "沪嘉市监案〔2026〕101号", "case_summary": "销售假冒注册商标的运动鞋",
                    "illegal_business_volume": 86000, "parties": [{"name": "上海某贸易有限公司"}]}}


def _databases(events: int) -> list[tuple[str, str]]:
    """(name, URL) of the databases to measure, created empty."""
    found = [("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'audit.sqlite'}")]
    if os.environ.get("TEST_DATABASE_URL"):
        url = make_url(os.environ["TEST_DATABASE_URL"])
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS xietong_bench_audit WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE xietong_bench_audit"))
        admin.dispose()
        found.append(("PostgreSQL", url.set(database="xietong_bench_audit").render_as_string(hide_password=False)))
    return found


def _fill(db: Any, events: int) -> float:
    """Record `events` events, 100 per commit; the seconds it took."""
    from workflows.audit import record

    started = time.perf_counter()
    for n in range(events):
        record(db.session, "bench.event", payload={**PAYLOAD, "n": n})
        if n % 100 == 99:
            db.session.commit()
    db.session.commit()
    return time.perf_counter() - started


def _commits(app: Any, threads: int, total: int) -> float:
    """Commits per second of one-event transactions from `threads` threads."""
    from app.extensions import db
    from workflows.audit import record

    def write(count: int) -> None:
        with app.app_context():
            for n in range(count):
                record(db.session, "bench.commit", payload={"n": n})
                db.session.commit()
            db.session.remove()

    workers = [threading.Thread(target=write, args=(total // threads,)) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return total / (time.perf_counter() - started)


def measure(name: str, url: str, events: int) -> None:
    """Fill one database and print the figures."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from workflows.audit.chain import current_head
    from workflows.audit.verification import verify_chain

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        filled = _fill(db, events)
        started = time.perf_counter()
        report = verify_chain(db.session, pause=db.session.rollback)
        whole = time.perf_counter() - started
        assert report.ok and report.checked == events, report
        head = current_head(db.session.connection()).seq
        started = time.perf_counter()
        assert verify_chain(db.session, after=head - 10_000).ok
        recent = time.perf_counter() - started
        db.session.remove()
    one, four = _commits(app, 1, 2000), _commits(app, 4, 2000)
    print(f"{name}: recorded {events:,} events in {filled:.1f} s; verified all in {whole:.1f} s "
          f"({events / whole:,.0f} events/s, a million in ~{1e6 / (events / whole):.0f} s); "
          f"the latest 10,000 in {recent:.2f} s; one-event commits/s: {one:,.0f} from 1 thread, "
          f"{four:,.0f} from 4 threads")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    """Measure on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    for name, url in _databases(args.events):
        measure(name, url, args.events)


if __name__ == "__main__":
    main()
