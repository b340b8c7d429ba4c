"""Long cases: the cost of a step and the state's size after 1, 10, 100 and 1,000 loop rounds.

Run with `make bench-history` (or `python -m bench.history [--instances K] [--rounds R]`). The loop is
the mediation-session loop of the long-case tests (tests/data/history/sessions.bpmn: lanes, a 30-day
deadline closed by a `due_at` boundary timer, a copy to the court, scripts and a gateway back-edge).

A step is what a person does to move the case on: a claim and a complete through the services on
SQLite, each in its own transaction and session as two requests would be. Instances are brought to
each number of rounds beforehand (not timed); then R measurement rounds each time one step on every
instance, alternating over all cells, so a change in machine load falls on all of them alike, with
the heap settled before each cell as in `bench.case_transfer`. A cell's instances advance by R
rounds while measured. The baseline is the first step of a freshly started instance, measured in
the same rounds. The same figures are taken with compaction switched off, as far as the engine goes
without it; the target is a step after 1,000 rounds at most 1.5 × a fresh instance's step. Last, the
case-transfer happy path (no loop) runs with compaction on and off in alternating rounds: what
compaction costs where there is no history to drop.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.case_transfer import service_database, service_layer, settle
from workflows.engine.compaction import settings

ROOT = Path(__file__).resolve().parent.parent
LOOP = ROOT / "tests" / "data" / "history"
LEVELS = (1, 10, 100, 1000)
FRESH = 0  # the level of a freshly started instance
TARGET = 1.5
MEDIATOR = "jd_mediator"


@dataclass
class Cell:
    """One column of the table: instances after `level` rounds, with or without compaction."""

    compacting: bool
    level: int
    instances: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    state_bytes: int = 0
    tasks: int = 0


@contextmanager
def compaction(on: bool) -> Iterator[None]:
    """Save states compacted or not while inside."""
    saved, settings.enabled = settings.enabled, on
    try:
        yield
    finally:
        settings.enabled = saved


def deploy_loop(app: Any) -> None:
    """Deploy the session loop beside the shipped processes."""
    from app.extensions import db
    from workflows.deployment.deploy import deploy

    forms = {name: (LOOP / name).read_bytes() for name in ("session.json", "confirm.json")}
    with app.app_context():
        deploy(db.session, (LOOP / "sessions.bpmn").read_bytes(), forms, None)
        db.session.commit()


def start(app: Any, user_ids: dict[str, int]) -> int:
    """Start a mediation whose first session waits; return the instance id."""
    from app.extensions import db
    from workflows.models import User
    from workflows.work.instances import start_instance

    with app.app_context():
        instance = start_instance(db.session, db.session.get(User, user_ids[MEDIATOR]), "history_sessions")
        db.session.commit()
        return instance.id


def open_item(app: Any, instance_id: int) -> int:
    """The id of the instance's open session item."""
    from app.extensions import db
    from workflows.models import WorkItem

    with app.app_context():
        return db.session.scalars(select(WorkItem.id).where(WorkItem.instance_id == instance_id,
                                                            WorkItem.status == "open")).one()


def step(app: Any, user_ids: dict[str, int], instance_id: int, number: int) -> float:
    """Seconds for one session: claim, then complete, as two requests with their own session."""
    from app.extensions import db
    from workflows.models import User, WorkItem
    from workflows.work.work_items import claim, complete

    item_id = open_item(app, instance_id)
    data = {"outcome": "continue", "minutes": 60 + number % 30, "parties": 2, "note": f"第{number}次调解会"}
    started = time.perf_counter()
    with app.app_context():
        claim(db.session, db.session.get(User, user_ids[MEDIATOR]), db.session.get(WorkItem, item_id))
        db.session.commit()
    with app.app_context():
        item = db.session.get(WorkItem, item_id)
        complete(db.session, db.session.get(User, user_ids[MEDIATOR]), item, data)
        db.session.commit()
        assert item.instance.status == "running", item.instance.error_reason
    return time.perf_counter() - started


def state_of(app: Any, instance_id: int) -> tuple[int, int]:
    """The stored state's size in bytes of JSON and its number of engine tasks."""
    from app.extensions import db
    from workflows.models import ProcessInstance

    with app.app_context():
        state = db.session.get(ProcessInstance, instance_id).state
        return len(json.dumps(state, ensure_ascii=False).encode()), len(state["tasks"])


def prepare(app: Any, user_ids: dict[str, int], cell: Cell, count: int) -> None:
    """Start `count` instances and bring each to the cell's number of rounds (not timed)."""
    with compaction(cell.compacting):
        for _ in range(count):
            instance_id = start(app, user_ids)
            for number in range(1, cell.level + 1):
                step(app, user_ids, instance_id, number)
            cell.instances.append(instance_id)
    cell.state_bytes, cell.tasks = state_of(app, cell.instances[0])


def measure_round(app: Any, user_ids: dict[str, int], cells: list[Cell], round_number: int) -> None:
    """One step on every instance of every cell, in reverse order every other round (position effects
    cancel); fresh cells time the first step of new instances."""
    for cell in cells if round_number % 2 else reversed(cells):
        settle()
        with compaction(cell.compacting):
            for index, instance_id in enumerate(cell.instances):
                if cell.level == FRESH:
                    instance_id = cell.instances[index] = start(app, user_ids)
                cell.seconds.append(step(app, user_ids, instance_id, cell.level + round_number))


def furthest_without_compaction(app: Any, user_ids: dict[str, int], limit: int) -> tuple[int, str]:
    """How many rounds an instance makes with compaction off before it stops, and why."""
    from app.extensions import db
    from workflows.models import ProcessInstance

    with compaction(False):
        instance_id = start(app, user_ids)
        for number in range(1, limit + 1):
            try:
                step(app, user_ids, instance_id, number)
            except AssertionError:
                with app.app_context():
                    return number - 1, db.session.get(ProcessInstance, instance_id).error_reason or ""
    return limit, ""


def happy_path(database: tuple[Any, dict[str, int]], rounds: int, per_round: int) -> tuple[float, float]:
    """Case-transfer happy paths per second through the services, compaction on and off, alternating."""
    run = service_layer(database)
    run(2)
    seconds = {True: 0.0, False: 0.0}
    for number in range(rounds):
        for on in (True, False) if number % 2 else (False, True):
            settle()
            with compaction(on):
                seconds[on] += run(per_round)
    return rounds * per_round / seconds[True], rounds * per_round / seconds[False]


def mean_ms(cell: Cell) -> float:
    """The cell's mean step in milliseconds."""
    return 1000 * sum(cell.seconds) / len(cell.seconds)


def report(cells: list[Cell], reach: tuple[int, str], args: argparse.Namespace) -> None:
    """Print the table: ms per step, multiple of the fresh step of the same mode, state size."""
    print(f"bench/history: session loop, claim + complete through the services on SQLite; "
          f"{args.rounds} alternating rounds x {args.instances} instances per cell")
    print(f"{'after rounds':>13} | {'compaction on':^34} | {'compaction off (full tree)':^34}")
    print(f"{'':>13} | {'ms/step':>8} {'x fresh':>8} {'state kB':>9} {'tasks':>6} "
          f"| {'ms/step':>8} {'x fresh':>8} {'state kB':>9} {'tasks':>6}")
    by_key = {(cell.compacting, cell.level): cell for cell in cells}
    for level in sorted({cell.level for cell in cells}):
        row = [_figures(by_key.get((on, level)), by_key[(on, FRESH)]) for on in (True, False)]
        print(f"{'fresh' if level == FRESH else level:>13} | {row[0]} | {row[1]}")
    rounds, reason = reach
    print(f"without compaction an instance stopped after {rounds} rounds, at the depth guard: {reason}" if reason
          else f"without compaction an instance ran the {rounds} rounds tried")
    ratio = mean_ms(by_key[(True, LEVELS[-1])]) / mean_ms(by_key[(True, FRESH)])
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"target: a step after {LEVELS[-1]} rounds <= {TARGET} x fresh: {ratio:.2f} x, {verdict}")


def _figures(cell: Cell | None, fresh: Cell) -> str:
    """A cell's four figures, or a dash where the engine cannot go without compaction."""
    if cell is None:
        return f"{'-':>8} {'-':>8} {'-':>9} {'-':>6}"
    return (f"{mean_ms(cell):8.2f} {mean_ms(cell) / mean_ms(fresh):8.2f} "
            f"{cell.state_bytes / 1000:9.1f} {cell.tasks:6d}")


def main() -> None:
    """Prepare the instances, measure in alternating rounds, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=3, help="instances per cell")
    parser.add_argument("--rounds", type=int, default=8, help="measurement rounds (one step per instance each)")
    parser.add_argument("--happy-path", type=int, default=15,
                        help="case-transfer instances per round and mode for the no-loop comparison (0: skip)")
    parser.add_argument("--uncompacted-levels", type=int, nargs="*", default=[1, 10, 100],
                        help="levels measured with compaction off (the engine stops a little beyond 170)")
    args = parser.parse_args()
    database = service_database()
    app, user_ids = database
    deploy_loop(app)
    cells = [Cell(True, level) for level in (FRESH, *LEVELS)]
    cells += [Cell(False, level) for level in (FRESH, *args.uncompacted_levels)]
    for cell in cells:
        prepare(app, user_ids, cell, args.instances)
    reach = furthest_without_compaction(app, user_ids, LEVELS[-1])
    for round_number in range(1, args.rounds + 1):
        measure_round(app, user_ids, cells, round_number)
    report(cells, reach, args)
    if args.happy_path:
        on, off = happy_path(database, args.rounds, args.happy_path)
        print(f"no loop (case_transfer happy path, 8 tasks): {on:.1f} instances/s compacted, {off:.1f} not "
              f"({on / off:.2f} x)")


if __name__ == "__main__":
    main()
