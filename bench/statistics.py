"""Statistics at a province's scale: each statistics request's p50/p95 over years of history.

Run `make bench-statistics`, or `python -m bench.statistics [--instances N] [--backend B] [--reuse]`.
It fills SQLite and PostgreSQL as `bench.scale` does (175,000 instances over 3.5 years, about 50,000
a year, with outcomes, measures and extensions), then times `GET /api/v1/statistics` through the
Flask app in-process for a year, a half-year and a month, for all agencies, one jurisdiction, one
agency and one process, and for the whole history. Requests alternate round by round. Target
(issue 15): a year of a province's data answers in well under a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scale import INSTANCES, ROOT, Clients, Measured, _app, _fill

TARGET_MS = 1000.0


def requests(now: datetime) -> list[tuple[str, str, str]]:
    """(what, who, path) for the last whole year before `now`, its second half and its December."""
    year = now.year - 1
    first = now.replace(year=now.year - 4).date().isoformat()
    base = "/api/v1/statistics?"
    return [
        (f"{year}, all agencies", "jd_supervisor", f"{base}period={year}"),
        (f"{year}, 嘉定区", "jd_supervisor", f"{base}period={year}&jurisdiction=嘉定区"),
        (f"{year}, one agency (leader)", "jd_msa_leader", f"{base}period={year}"),
        (f"{year}, city office's bureaus", "sh_ipo_liaison", f"{base}period={year}"),
        (f"{year}, case_transfer only", "jd_supervisor", f"{base}period={year}&process=case_transfer"),
        (f"{year}-H2, all agencies", "jd_supervisor", f"{base}period={year}-H2"),
        (f"{year}-12, all agencies", "jd_supervisor", f"{base}period={year}-12"),
        ("the whole history, all agencies", "jd_supervisor", f"{base}from={first}&to={now.date().isoformat()}"),
    ]


def measure(app: Any, rounds: int) -> list[Measured]:
    """Time each request `rounds` times, alternating, after one warm-up round."""
    from bench.case_transfer import settle

    clients = Clients(app)
    plan = [(Measured(what, who), who, path) for what, who, path in requests(datetime.now(UTC))]
    for measured, _, _ in plan:
        measured.runs.append([])
    for round_number in range(rounds + 1):
        if round_number == 1:
            settle()
        for measured, who, path in plan:
            started = time.perf_counter()
            answer = clients.get(who, path)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, (path, answer.status_code, answer.get_data(as_text=True)[:300])
            if round_number:
                measured.runs[-1].append(elapsed)
                body = answer.get_json()
                measured.rows = sum(p["work"]["completed"] for p in body["processes"])
                measured.statements = {sum(p["started"] for p in body["processes"])}
    return [m for m, _, _ in plan]


def report(backend: str, counts: dict[str, Any], results: list[Measured]) -> None:
    """Print one backend's table and the verdict."""
    print(f"\n{backend}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"{'request':34} {'user':16} {'p50 ms':>8} {'p95 ms':>8} {'cases started':>14} {'items completed':>16}"
          f"   ({len(results[0].runs[0])} rounds)")
    for m in results:
        times = m.runs[0]
        p95 = statistics.quantiles(times, n=100, method="inclusive")[94] if len(times) > 1 else times[0]
        print(f"{m.what:34} {m.who:16} {statistics.median(times):8.1f} {p95:8.1f} {next(iter(m.statements)):>14,}"
              f" {m.rows:>16,}")
    year = [m for m in results if "history" not in m.what]
    worst = max(year, key=lambda m: statistics.median(m.runs[0]))
    verdict = "met" if statistics.median(worst.runs[0]) < TARGET_MS else "NOT met"
    print(f"a year or less answers in under {TARGET_MS:.0f} ms (p50): {verdict}; slowest "
          f"{statistics.median(worst.runs[0]):.1f} ms ({worst.what})")


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
    report(backend, counts, measure(app, args.rounds))


def main() -> None:
    """Run the benchmark on the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=INSTANCES, help="instances over 3.5 years")
    parser.add_argument("--rounds", type=int, default=10, help="timed requests of each kind")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--sqlite-path", default=str(Path(tempfile.gettempdir()) / "xietong-bench-statistics.sqlite"))
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run left (no fill)")
    args = parser.parse_args()
    if args.backend in ("both", "sqlite"):
        if not args.reuse and os.path.exists(args.sqlite_path):
            os.remove(args.sqlite_path)
        run("SQLite", f"sqlite:///{args.sqlite_path}", args)
    if args.backend in ("both", "postgresql"):
        url = os.environ.get("TEST_DATABASE_URL")
        if url:
            run("PostgreSQL", url, args)
            return
        command = [sys.executable, "-m", "bench.statistics", "--backend", "postgresql", "--instances",
                   str(args.instances), "--rounds", str(args.rounds)]
        sys.stdout.flush()
        subprocess.run(["bash", str(ROOT / "scripts/with-postgres.sh"), *command], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
