"""Experiment: how fast could the persisted happy path be without the ORM, or without SQLAlchemy?

Not product code. It answers one question behind the b/a >= 0.10 target of `bench.case_transfer`:
which persistence design could reach it. The same work as the service layer's happy path — the
same engine calls (restore, complete, run, serialize), form validation, deadline computation and
the same 17 transactions with the same rows written — is done three ways in one process, with
the raw engine measured alongside:

- **core**: SQLAlchemy Core statements on the session's connection, plain rows, no ORM objects;
- **driver**: the same statements, compiled once by SQLAlchemy's SQLite dialect, executed on the
  sqlite3 connection itself (values converted by hand), so SQLAlchemy does nothing at run time;
- **services**: the real service layer (`bench.case_transfer.service_layer`).

Both prototypes skip what the happy path does not need (cancellations, extensions, `due_at`
timers, error handling): they are a lower bound for their design, not a replacement.

Run with `python -m bench.persistence_floor [--raw N] [--service N] [--rounds N]`;
`--check` instead runs one instance through each design and fails unless they wrote the same.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.dialects import sqlite

from bench.case_transfer import HAPPY_PATH, raw_engine, service_database, service_layer, settle
from workflows.calendar import SHANGHAI, HolidayCalendar
from workflows.clock import now
from workflows.deadlines import due_for, reminder_for
from workflows.definitions import compiled
from workflows.engine.runtime import (
    complete_task,
    find_task,
    new_workflow,
    next_timer_due,
    ready_user_tasks,
    restore_workflow,
    run_engine,
    snapshot_data,
)
from workflows.engine.serialization import state_to_dict
from workflows.models import (
    Agency,
    AgencyType,
    AuditEvent,
    CalendarDay,
    CalendarYear,
    InstanceParticipant,
    Notice,
    ProcessDefinition,
    ProcessInstance,
    User,
    WorkItem,
)
from workflows.progress import json_safe

_U, _A, _T, _W, _P, _D = (m.__table__ for m in (User, Agency, AgencyType, WorkItem, ProcessInstance,
                                                ProcessDefinition))

# The statements of the happy path, built once (as the service layer builds its hot ones).
STATEMENTS = {
    "user": select(_U.c.id, _U.c.agency_id, _U.c.roles, _A.c.jurisdiction, _T.c.code.label("type_code"))
    .join(_A, _U.c.agency_id == _A.c.id).join(_T, _A.c.type_id == _T.c.id).where(_U.c.id == bindparam("user")),
    "latest": select(_D.c.id, _D.c.checksum).where(_D.c.key == bindparam("key"))
    .order_by(_D.c.version.desc()).limit(1),
    "open_item": select(_W).where(_W.c.instance_id == bindparam("instance"), _W.c.status == "open"),
    "item": select(_W).where(_W.c.id == bindparam("item")),
    "claim": update(_W).where(_W.c.id == bindparam("item"), _W.c.status == "open")
    .values(status="claimed", assignee_id=bindparam("assignee"), claimed_at=bindparam("at")),
    "lock": select(_P, _A.c.jurisdiction, _T.c.code.label("type_code"))
    .join(_A, _P.c.initiating_agency_id == _A.c.id).join(_T, _A.c.type_id == _T.c.id)
    .where(_P.c.id == bindparam("instance")).with_for_update(of=_P),
    "active": select(_W.c.id, _W.c.engine_task_id, _W.c.due_at, _W.c.remind_at)
    .where(_W.c.instance_id == bindparam("instance"), or_(_W.c.status == "open", _W.c.status == "claimed")),
    "done": update(_W).where(_W.c.id == bindparam("item"))
    .values(status="completed", completed_at=bindparam("at"), completed_by_id=bindparam("by"),
            submitted_data=bindparam("data")),
    "same_level": select(_A.c.id).join(_T, _A.c.type_id == _T.c.id)
    .where(_T.c.code == bindparam("type_code"), _A.c.active.is_(True), _A.c.jurisdiction == bindparam("jurisdiction")),
    "save": update(_P).where(_P.c.id == bindparam("instance"), _P.c.lock_version == bindparam("old"))
    .values(state=bindparam("state"), status=bindparam("new_status"), lock_version=bindparam("new"),
            next_timer_due_at=bindparam("timer"), engine_timer_due_at=bindparam("timer"),
            updated_at=bindparam("at")),
    "new_instance": insert(_P).returning(_P.c.id),
    "new_item": insert(_W).returning(_W.c.id),
    "participant": sqlite.insert(InstanceParticipant.__table__).on_conflict_do_nothing(),
    "audit": insert(AuditEvent.__table__),
    "notice": insert(Notice.__table__),
    "days": select(CalendarDay.day, CalendarDay.is_working),
    "years": select(CalendarYear.year).where(CalendarYear.published.is_(True)),
}


class CoreRunner:
    """Statements through SQLAlchemy Core on the session's connection; rows as mappings."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def rows(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.session.connection().execute(STATEMENTS[name], params or {})]

    def write(self, name: str, params: dict[str, Any]) -> Any:
        result = self.session.connection().execute(STATEMENTS[name], params)
        return result.scalar_one() if name.startswith("new_") else result.rowcount

    def begin(self) -> None:
        self.session.connection()  # the app's begin hook emits BEGIN IMMEDIATE

    def commit(self) -> None:
        self.session.commit()

    def calendar(self) -> HolidayCalendar:
        days = {r["day"]: r["is_working"] for r in self.rows("days")}
        return HolidayCalendar(days=days, published_years=frozenset(r["year"] for r in self.rows("years")))


class _Compiled:
    """One statement as SQL text with its positional parameter names (SQLAlchemy's SQLite dialect)."""

    def __init__(self, name: str) -> None:
        statement = STATEMENTS[name]
        if name.startswith("new_") or name in ("audit", "notice", "participant"):  # every column, given or NULL
            table = statement.table
            statement = statement.values({c.name: bindparam(c.name) for c in table.c if c.name != "id"})
        compiled = statement.compile(dialect=sqlite.dialect(paramstyle="qmark"))
        self.sql = compiled.string
        self.names = compiled.positiontup
        self.fixed = {key: compiled.binds[key].value for key in self.names
                      if key in compiled.binds and compiled.binds[key].value is not None}


def _to_sqlite(value: Any) -> Any:
    """What SQLAlchemy's types would bind: naive UTC text for datetimes, JSON text for structures."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


class DriverRunner(CoreRunner):
    """The same statements executed on the sqlite3 connection: SQLAlchemy only compiled them, once."""

    _compiled: dict[str, _Compiled] = {}

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.pooled = session.get_bind().raw_connection()
        self.connection = self.pooled.driver_connection

    def _execute(self, name: str, params: dict[str, Any]) -> Any:
        compiled = self._compiled.get(name) or self._compiled.setdefault(name, _Compiled(name))
        values = [_to_sqlite(params.get(key, compiled.fixed.get(key))) for key in compiled.names]
        return self.connection.execute(compiled.sql, values)

    def rows(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self._execute(name, params or {})
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        for row in rows:  # the JSON columns this experiment reads back
            for key in ("state", "roles"):
                if isinstance(row.get(key), str):
                    row[key] = json.loads(row[key])
        return rows

    def write(self, name: str, params: dict[str, Any]) -> Any:
        cursor = self._execute(name, params)
        return cursor.fetchone()[0] if name.startswith("new_") else cursor.rowcount

    def begin(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def calendar(self) -> HolidayCalendar:
        days = {date.fromisoformat(r["day"]): bool(r["is_working"]) for r in self.rows("days")}
        return HolidayCalendar(days=days, published_years=frozenset(r["year"] for r in self.rows("years")))

    def close(self) -> None:
        self.pooled.close()


class _Definition:
    """What `compiled()` needs of a definition row."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.id, self.checksum = row["id"], row["checksum"]


def _audit(db: CoreRunner, type_: str, actor: dict[str, Any], instance: int, item: int | None = None,
           payload: dict[str, Any] | None = None) -> None:
    db.write("audit", {"occurred_at": now(), "actor_id": actor["id"], "agency_id": actor["agency_id"],
                       "instance_id": instance, "work_item_id": item, "type": type_, "payload": payload or {}})


def _agency(db: CoreRunner, type_code: str, initiator: dict[str, Any]) -> int:
    """The lane's agency: the initiator's own, else the one of the type at the same level."""
    if type_code == initiator["type_code"]:
        return initiator["agency_id"]
    (row,) = db.rows("same_level", {"type_code": type_code, "jurisdiction": initiator["jurisdiction"]})
    return row["id"]


def _advance(db: CoreRunner, actor: dict[str, Any], instance: int, initiator: dict[str, Any], workflow: Any,
             meta: dict[str, Any], version: int) -> None:
    """Work items for the new READY tasks, then the state, as the service layer's step does."""
    known = {r["engine_task_id"] for r in db.rows("active", {"instance": instance})}
    calendar: list[HolidayCalendar] = []

    def load() -> HolidayCalendar:
        if not calendar:
            calendar.append(db.calendar())
        return calendar[0]

    created = []
    for task in ready_user_tasks(workflow):
        if str(task.id) in known:
            continue
        info = meta["tasks"][task.task_spec.bpmn_id]
        agency = _agency(db, meta["lanes"][info["lane"]]["agency_type"], initiator)
        at = now()
        due = due_for(info["deadline"], info["deadline_from"], task.data, at, load)
        item = db.write("new_item", {
            "instance_id": instance, "process_key": "case_transfer", "engine_task_id": str(task.id),
            "task_name": info["id"], "title": info["name"],
            "lane": info["lane"], "candidate_agency_id": agency, "required_role": info["role"], "status": "open",
            "priority": int(info["priority"]), "deadline": info["deadline"], "due_at": due.at if due else None,
            "original_due_at": due.at if due else None, "due_provisional": False, "extension_count": 0,
            "remind_at": reminder_for(due.at, at, None) if due else None, "form_name": info["form"],
            "created_at": at})
        db.write("participant", {"instance_id": instance, "agency_id": agency, "reason": "work_item", "since": at})
        created.append((item, info, agency, due))
    state = state_to_dict(workflow)
    state["xietong_data"] = json_safe(snapshot_data(workflow))
    assert db.write("save", {"instance": instance, "old": version, "new": version + 1, "state": state,
                             "new_status": "completed" if workflow.is_completed() else "running",
                             "timer": next_timer_due(workflow), "at": now()}) == 1
    for item, info, agency, due in created:
        _audit(db, "work_item.created", actor, instance, item,
               {"task": info["id"], "agency": agency, "role": info["role"],
                "due_at": due.at.isoformat() if due else None})
    if workflow.is_completed():
        _audit(db, "instance.completed", actor, instance)


def _one_instance(db: CoreRunner, user_ids: dict[str, int], business_key: str) -> None:
    db.begin()
    actor = db.rows("user", {"user": user_ids["jd_msa_liaison"]})[0]
    definition = _Definition(db.rows("latest", {"key": "case_transfer"})[0])
    content = compiled(db.session, definition)
    workflow = new_workflow(content.specs())
    at = now()
    instance = db.write("new_instance", {
        "definition_id": definition.id, "business_key": business_key, "title": business_key, "status": "running",
        "initiating_agency_id": actor["agency_id"], "initiating_user_id": actor["id"], "state": {},
        "state_format": 1, "lock_version": 1, "created_at": at, "updated_at": at})
    db.write("participant", {"instance_id": instance, "agency_id": actor["agency_id"], "reason": "initiator",
                             "since": at})
    _audit(db, "instance.started", actor, instance, payload={"key": "case_transfer"})
    run_engine(workflow)
    _advance(db, actor, instance, actor, workflow, content.meta, 1)
    db.commit()
    for task_name, username, data in HAPPY_PATH:
        db.begin()  # claim
        actor = db.rows("user", {"user": user_ids[username]})[0]
        (item,) = db.rows("open_item", {"instance": instance})
        assert item["task_name"] == task_name
        assert db.write("claim", {"item": item["id"], "assignee": actor["id"], "at": now()}) == 1
        _audit(db, "work_item.claimed", actor, instance, item["id"])
        db.commit()
        db.begin()  # complete
        actor = db.rows("user", {"user": user_ids[username]})[0]
        (item,) = db.rows("item", {"item": item["id"]})
        (locked,) = db.rows("lock", {"instance": instance})
        data = json_safe(data)
        if item["form_name"]:
            assert not content.form_errors(item["form_name"], data)
        workflow = restore_workflow(content.specs(), locked["state"])
        task = find_task(workflow, item["engine_task_id"])
        db.write("done", {"item": item["id"], "at": now(), "by": actor["id"], "data": data})
        _audit(db, "work_item.completed", actor, instance, item["id"], {"data": data})
        complete_task(workflow, task, data)
        initiator = {"agency_id": locked["initiating_agency_id"], "jurisdiction": locked["jurisdiction"],
                     "type_code": locked["type_code"]}
        for lane in content.meta["tasks"][task_name].get("copy_to") or []:  # the copy to the procuratorate
            agency = _agency(db, content.meta["lanes"][lane]["agency_type"], initiator)
            db.write("participant", {"instance_id": instance, "agency_id": agency, "reason": "copy", "since": now()})
            _audit(db, "instance.copied", actor, instance, item["id"], {"agency": agency, "lane": lane})
            db.write("notice", {"kind": "copy_received", "agency_id": agency, "instance_id": instance,
                                "work_item_id": item["id"], "title": business_key, "payload": {"lane": lane},
                                "created_at": now()})
        _advance(db, actor, instance, initiator, workflow, content.meta, locked["lock_version"])
        db.commit()


def prototype(app: Any, user_ids: dict[str, int], runner: type[CoreRunner], prefix: str) -> Callable[[int], float]:
    """A runner timing `count` happy-path instances done the prototype's way."""
    from app.extensions import db

    numbers = itertools.count()

    def run(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            with app.app_context():
                executor = runner(db.session)
                _one_instance(executor, user_ids, f"{prefix}-{next(numbers)}")
                if isinstance(executor, DriverRunner):
                    executor.close()
        return time.perf_counter() - started

    return run


def _due(item: WorkItem) -> Any:
    """A due time comparable across instances created moments apart: day periods end at 24:00, hours count on."""
    if item.due_at is None:
        return None
    if item.due_at.astimezone(SHANGHAI).time() == datetime.min.time():
        return item.due_at
    return item.due_at - item.created_at


def written(app: Any, business_key: str) -> dict[str, Any]:
    """What one instance left in the database, in terms every design must agree on."""
    from sqlalchemy import func

    from app.extensions import db

    with app.app_context():
        session = db.session
        instance = session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == business_key)).one()
        return {
            "status": instance.status, "lock_version": instance.lock_version,
            "items": session.execute(select(WorkItem.task_name, WorkItem.status, WorkItem.candidate_agency_id,
                                            WorkItem.required_role, WorkItem.deadline)
                                     .where(WorkItem.instance_id == instance.id).order_by(WorkItem.id)).all(),
            "due": [_due(item) for item in session.scalars(
                select(WorkItem).where(WorkItem.instance_id == instance.id).order_by(WorkItem.id))],
            "events": session.execute(select(AuditEvent.type, func.count()).where(AuditEvent.instance_id == instance.id)
                                      .group_by(AuditEvent.type).order_by(AuditEvent.type)).all(),
            "participants": session.execute(select(InstanceParticipant.agency_id, InstanceParticipant.reason)
                                            .where(InstanceParticipant.instance_id == instance.id)
                                            .order_by(InstanceParticipant.agency_id)).all(),
            "notices": session.execute(select(Notice.kind, Notice.agency_id).where(Notice.instance_id == instance.id)
                                       .order_by(Notice.id)).all(),
        }


def check() -> int:
    """Run one instance through each design; 0 when all wrote the same as the product, else 1."""
    database = service_database()
    service_layer(database)(1)  # business key B-0
    prototype(*database, DriverRunner, "D")(1)
    prototype(*database, CoreRunner, "C")(1)
    product = written(database[0], "B-0")
    failures = 0
    for name, key in (("driver", "D-0"), ("core", "C-0")):
        other = written(database[0], key)
        differing = [field for field in product if other[field] != product[field]]
        print(f"{name}: " + ("same as the product" if not differing else f"differs in {', '.join(differing)}"))
        for field in differing:
            print(f"  product {field}: {product[field]}\n  {name} {field}: {other[field]}")
        failures += bool(differing)
    return 1 if failures else 0


def main() -> None:
    """Print the raw engine's rate and b/a for the driver, Core and service-layer designs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=int, default=600, help="instances for the raw engine, in all")
    parser.add_argument("--service", type=int, default=90, help="instances per persisted design, in all")
    parser.add_argument("--rounds", type=int, default=6, help="alternations of the measurements")
    parser.add_argument("--check", action="store_true", help="compare what each design writes, measure nothing")
    args = parser.parse_args()
    if args.check:
        raise SystemExit(check())
    database = service_database()
    designs = {"driver (sqlite3, SQL compiled once)": prototype(*database, DriverRunner, "D"),
               "core (SQLAlchemy Core, no ORM)": prototype(*database, CoreRunner, "C"),
               "services (the product)": service_layer(database)}
    raw_engine(10)
    # The services first: they load the definition into the per-process cache, which the driver
    # runner then only reads (a cache miss would open a second SQLite transaction beside its own).
    for run in reversed(designs.values()):
        run(2)
    raw_seconds, seconds = 0.0, dict.fromkeys(designs, 0.0)
    per_round = args.service // args.rounds
    for _ in range(args.rounds):
        settle()
        raw_seconds += raw_engine(args.raw // args.rounds)
        for name, run in designs.items():
            settle()
            seconds[name] += run(per_round)
    a = (args.raw // args.rounds * args.rounds) / raw_seconds
    print(f"case_transfer happy path, {args.rounds} alternating rounds; (a) raw engine {a:.1f} instances/s")
    for name, spent in seconds.items():
        b = per_round * args.rounds / spent
        print(f"  {name:36s} {b:6.1f} instances/s   b/a = {b / a:.3f}")


if __name__ == "__main__":
    main()
