"""The data of `bench.scale`: a province's years of cases, written in bulk.

The directory (about a hundred agencies and their users) and the shipped processes go through the
services; the history does not: instances, work items, participations, supervisions, notices and
their deliveries are generated and written with COPY (PostgreSQL) or executemany (SQLite), shaped
as the services write them. Every instance row carries the engine state of a real instance, so a
query that loaded it would pay for it. Audit events are not written: no list reads them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from workflows.engine.settings import LaneInfo, TaskInfo
from workflows.models import Agency, User

# (process key, share of instances)
PROCESSES = [("case_transfer", 0.35), ("mediation_confirmation", 0.25), ("lead_transfer", 0.20),
             ("assistance_request", 0.12), ("guidance_request", 0.08)]
# Instance states: most cases of several years are done; about one in eight runs; a few stopped.
STATUSES = [("completed", 0.85), ("running", 0.125), ("cancelled", 0.02), ("error", 0.005)]
# Roles of each agency's staff, by agency type (the demo users count towards them).
STAFF = {
    "market_supervision": [["liaison"]] * 3 + [["leader", "liaison"]],
    "police": [["liaison"]] * 2 + [["leader", "liaison"]],
    "procuratorate": [["liaison"]] * 2 + [["leader", "liaison"]],
    "court": [["clerk"]] * 2 + [["judge"]] * 2 + [["leader", "judge"]],
    "mediation_committee": [["mediator", "liaison"]] * 3 + [["leader", "mediator"]],
    "ip_office": [["liaison", "leader"]] * 2,
    "tax": [["liaison"]] * 2, "copyright": [["liaison"]] * 2,
    "leading_group_office": [["supervisor"]], "administration": [["admin"]],
}
DISTRICT_TYPES = ("market_supervision", "police", "procuratorate", "court", "mediation_committee")
NEW_DISTRICTS = 16
BUSY = "嘉定区"  # the demo district carries four times an average district's cases
BATCH = 2000  # instances per bulk write
YEARS = 3.5


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


@dataclass
class Directory:
    """Agencies by district and type, users by agency, the deployed definitions and their task lists."""

    by_district: dict[str, dict[str, int]] = field(default_factory=dict)
    city_office: dict[str, int] = field(default_factory=dict)  # district -> its ip_office
    staff: dict[int, list[tuple[int, list[str]]]] = field(default_factory=dict)  # agency -> (user, roles)
    definitions: dict[str, tuple[int, list[TaskInfo], Mapping[str, LaneInfo]]] = field(default_factory=dict)
    counted: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # key -> (outcomes, measures)
    districts: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


def build_directory(session: Any) -> Directory:
    """Add districts, agencies and staff to the demo directory until about a hundred agencies take part."""
    from workflows.directory import entries as directory

    shanghai = {"嘉定区", "长宁区"}
    for number in range(1, NEW_DISTRICTS + 1):
        place = f"第{number:02d}区"
        for type_code in DISTRICT_TYPES:
            directory.create_agency(session, None, code=f"d{number:02d}_{type_code}", name=f"{place}{type_code}",
                                    type_code=type_code, jurisdiction=place, level="district",
                                    parent_code="sh_ipo" if type_code == "market_supervision" else None)
        shanghai.add(place)
    for place in ("长宁区", "昆山市", "太仓市"):  # the demo's smaller districts lack a court and a committee
        for type_code in ("court", "mediation_committee"):
            directory.create_agency(session, None, code=f"{place}_{type_code}", name=f"{place}{type_code}",
                                    type_code=type_code, jurisdiction=place, level="district")
    session.flush()
    _staff(session)
    session.commit()
    return _read_directory(session, shanghai)


def _staff(session: Any) -> None:
    """Give every agency its roster of users (one password hash for all: logins are not under test)."""
    template = session.scalars(select(User).where(User.username == "jd_msa_liaison")).one().password_hash
    for agency in session.scalars(select(Agency)):
        have = [u.roles for u in session.scalars(select(User).where(User.agency_id == agency.id))]
        for number, roles in enumerate(STAFF.get(agency.type.code, [])[len(have):], 1):
            session.add(User(username=f"{agency.code}_{number}", display_name=f"{agency.name} {number}",
                             agency_id=agency.id, roles=roles, password_hash=template))


def _read_directory(session: Any, shanghai: set[str]) -> Directory:
    from workflows.deployment.catalog import latest_definitions
    from workflows.deployment.definitions import compiled

    found = Directory()
    for agency in session.scalars(select(Agency)):
        if agency.level == "district":
            found.by_district.setdefault(agency.jurisdiction, {})[agency.type.code] = agency.id
        found.staff[agency.id] = []
    offices = {a.code: a.id for a in session.scalars(select(Agency).where(Agency.code.in_(["sh_ipo", "sz_ipo"])))}
    for user in session.scalars(select(User)):
        found.staff[user.agency_id].append((user.id, list(user.roles)))
    found.districts = sorted(d for d, types in found.by_district.items() if "market_supervision" in types)
    found.weights = [4.0 if d == BUSY else 1.0 for d in found.districts]
    found.city_office = {d: offices["sh_ipo" if d in shanghai else "sz_ipo"] for d in found.districts}
    for definition in latest_definitions(session):
        info = compiled(session, definition).info
        found.definitions[definition.key] = (definition.id, list(info.tasks.values()), info.lanes)
        found.counted[definition.key] = (list(info.labels("outcomes")), list(info.labels("measures")))
    return found


@dataclass
class Rows:
    """Rows of one batch, by table."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, **row: Any) -> None:
        self.tables.setdefault(table, []).append(row)


class Generator:
    """Instances with their items, participations, supervisions, notices and deliveries, as the services make them."""

    def __init__(self, found: Directory, state: str, now: datetime, seed: int = 13) -> None:
        self.dir, self.state, self.now, self.rng = found, state, now, random.Random(seed)
        self.ids = {"process_instance": 0, "work_item": 0, "notice": 0, "case_measure": 0, "deadline_extension": 0}

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _agency(self, district: str, lane: LaneInfo, origin_lane: str, lane_id: str, origin: int) -> int:
        """The agency a lane resolves to: the origin for the start lane, else the district's (or another's)."""
        kind = lane.agency_type
        if lane_id == origin_lane:
            return origin
        if kind == "ip_office":
            return self.dir.city_office[district]
        if kind == "market_supervision":  # a target or assisting bureau: another district's
            other = self.rng.choice([d for d in self.dir.districts if d != district])
            return self.dir.by_district[other]["market_supervision"]
        here = self.dir.by_district[district]
        return here.get(kind) or self.dir.by_district[BUSY].get(kind) or origin

    def _user(self, agency: int, role: str) -> int:
        holders = [u for u, roles in self.dir.staff[agency] if role in roles] or [u for u, _ in self.dir.staff[agency]]
        return self.rng.choice(holders)

    def batches(self, count: int) -> Iterator[Rows]:
        """`count` instances, BATCH at a time."""
        rows = Rows()
        for number in range(count):
            self._instance(rows)
            if (number + 1) % BATCH == 0:
                yield rows
                rows = Rows()
        if rows.tables:
            yield rows

    def _instance(self, rows: Rows) -> None:
        rng = self.rng
        key, status = _pick(rng, PROCESSES), _pick(rng, STATUSES)
        definition_id, tasks, lanes = self.dir.definitions[key]
        district = rng.choices(self.dir.districts, self.dir.weights)[0]
        origin_lane = tasks[0].lane
        origin = self.dir.by_district[district][lanes[origin_lane].agency_type]
        age = timedelta(days=rng.uniform(0, 120 if status == "running" else 365 * YEARS))
        created = self.now - age
        instance_id = self._next("process_instance")
        finished = status in ("completed", "cancelled")
        done = rng.randint(4, 8) if finished else rng.randint(2, 6)
        plan = [tasks[n % len(tasks)] for n in range(done + (0 if finished else rng.choice((1, 1, 1, 1, 2))))]
        span = (min(age, timedelta(days=rng.uniform(5, 90))) if finished else age) / (len(plan) + 1)
        agencies = {origin: "initiator"}
        items = []
        for number, task in enumerate(plan):
            agency = self._agency(district, lanes[task.lane], origin_lane, task.lane, origin)
            agencies.setdefault(agency, "work_item")
            at = created + span * (number + 1)
            active = number >= done
            items.append(self._item(rows, instance_id, key, task, agency, at, active))
        ended = created + span * (len(plan) + 1) if finished else None
        outcomes, measures = self.dir.counted[key]
        outcome = rng.choice(outcomes) if status == "completed" and outcomes else None
        for item in items[1:] if measures else ():  # what the statistics count along the way (docs/diagrams.md §9)
            if item["status"] == "completed" and rng.random() < 0.35:
                rows.add("case_measure", id=self._next("case_measure"), instance_id=instance_id, process_key=key,
                         code=rng.choice(measures), element="bench", agency_id=item["candidate_agency_id"],
                         occurred_at=item["completed_at"])
        rows.add("process_instance", outcome=outcome, id=instance_id, definition_id=definition_id,
                 business_key=f"BK-{instance_id:07d}",
                 title=f"{key} {instance_id}", status=status, error_reason="lane 'lane_police' names no agency"
                 if status == "error" else None, initiating_agency_id=origin,
                 initiating_user_id=self._user(origin, tasks[0].role), state=self.state, state_format=1,
                 lock_version=len(plan) + 1, next_timer_due_at=self._timer(items) if status == "running" else None,
                 engine_timer_due_at=None, created_at=created, updated_at=ended or self.now, completed_at=ended)
        self._around(rows, instance_id, district, origin, agencies, items, created)

    def _item(self, rows: Rows, instance_id: int, key: str, task: TaskInfo, agency: int, at: datetime,
              active: bool) -> dict[str, Any]:
        rng = self.rng
        due = at + timedelta(days=rng.uniform(1, 15)) if task.deadline else None
        if active and due is not None:
            due = self.now + timedelta(days=rng.uniform(-5, 28))  # about one active item in seven is overdue
        status = ("claimed" if rng.random() < 0.4 else "open") if active else (
            "cancelled" if rng.random() < 0.08 else "completed")
        worker = self._user(agency, task.role) if status in ("claimed", "completed") else None
        overdue = active and due is not None and due < self.now
        item = dict(id=self._next("work_item"), instance_id=instance_id, process_key=key,
                    engine_task_id=f"{instance_id:08x}-0000-4000-8000-{self.ids['work_item']:012x}",
                    task_name=task.id, title=task.name, lane=task.lane, candidate_agency_id=agency,
                    required_role=task.role, assignee_id=worker, status=status, priority=task.priority,
                    deadline=str(task.deadline.period) if task.deadline else None, due_at=due, due_provisional=False,
                    original_due_at=due,
                    extension_count=0, remind_at=due - timedelta(days=1) if due else None,
                    reminded_at=due - timedelta(days=1) if overdue else None,
                    overdue_at=due + timedelta(minutes=1) if overdue else None, form_name=task.form,
                    submitted_data={"note": "bench"} if status == "completed" else None, created_at=at,
                    claimed_at=at + timedelta(hours=1) if worker else None,
                    completed_at=min(at + timedelta(hours=rng.uniform(1, 24 * 12)), self.now)
                    if status in ("completed", "cancelled") else None,
                    completed_by_id=worker if status == "completed" else None)
        rows.add("work_item", **item)
        if status == "completed" and due is not None and rng.random() < 0.03:  # an extension granted on the way
            rows.add("deadline_extension", id=self._next("deadline_extension"), work_item_id=item["id"],
                     previous_due_at=due, new_due_at=due + timedelta(days=5), new_due_provisional=False,
                     reason="bench", approved_by="bench", recorded_by_id=worker, created_at=at + timedelta(hours=1))
        return item

    def _timer(self, items: list[dict[str, Any]]) -> datetime | None:
        watches = [i["due_at"] for i in items if i["status"] in ("open", "claimed") and i["due_at"]
                   and i["overdue_at"] is None]
        return min(watches) if watches else None

    def _around(self, rows: Rows, instance_id: int, district: str, origin: int, agencies: dict[int, str],
                items: list[dict[str, Any]], created: datetime) -> None:
        """Participations, copies, supervisions of missed deadlines, and the notices of all of them."""
        rng = self.rng
        procuratorate = self.dir.by_district[district].get("procuratorate")
        if procuratorate and rng.random() < 0.2:
            agencies.setdefault(procuratorate, "copy")
            self._notice(rows, "copy_received", procuratorate, None, None, instance_id, None, created)
        if rng.random() < 0.3:
            self._notice(rows, "case_filed", origin, None, None, instance_id, None, created + timedelta(days=2))
        for item in items:
            if item["overdue_at"] is None:
                continue
            holder = (None, item["assignee_id"]) if item["assignee_id"] else (item["required_role"], None)
            self._notice(rows, "deadline_missed", item["candidate_agency_id"], *holder, instance_id, item["id"],
                         item["overdue_at"])
            watcher = procuratorate if procuratorate != item["candidate_agency_id"] else None
            watcher = watcher or (origin if origin != item["candidate_agency_id"] else None)
            if watcher and rng.random() < 0.7:
                agencies.setdefault(watcher, "supervision")
                rows.add("work_item_supervision", work_item_id=item["id"], agency_id=watcher,
                         since=item["overdue_at"], due_at=item["due_at"], priority=item["priority"], ended_at=None)
                self._notice(rows, "deadline_missed", watcher, None, None, instance_id, item["id"], item["overdue_at"])
        for agency, reason in agencies.items():
            rows.add("instance_participant", instance_id=instance_id, agency_id=agency, reason=reason, since=created)

    def _notice(self, rows: Rows, kind: str, agency: int, role: str | None, user: int | None, instance_id: int,
                item_id: int | None, at: datetime) -> None:
        notice_id = self._next("notice")
        rows.add("notice", id=notice_id, kind=kind, agency_id=agency, role=role, user_id=user, instance_id=instance_id,
                 work_item_id=item_id, title=f"{kind} {instance_id}", payload={"lane": "bench"}, created_at=at)
        recipients = [user] if user else [u for u, roles in self.dir.staff[agency] if role is None or role in roles]
        recent = self.now - at < timedelta(days=14)
        for recipient in recipients:
            read = self.rng.random() < (0.5 if recent else 0.97)
            rows.add("notice_delivery", user_id=recipient, notice_id=notice_id,
                     read_at=at + timedelta(hours=self.rng.uniform(1, 72)) if read else None)


ORDER = ("process_instance", "instance_participant", "work_item", "work_item_supervision", "deadline_extension",
         "case_measure", "notice", "notice_delivery")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def _postgresql_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def write(connection: Any, dialect: str, rows: Rows) -> None:
    """Write one batch with the driver: COPY on PostgreSQL, executemany on SQLite."""
    cursor = connection.cursor()
    for table in ORDER:
        batch = rows.tables.get(table)
        if not batch:
            continue
        columns = list(batch[0])
        if dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row([_postgresql_value(row[c]) for c in columns])
        else:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                               [[_sqlite_value(row[c]) for c in columns] for row in batch])
    connection.commit()


def finish(connection: Any, dialect: str, generated: Generator) -> None:
    """Move the id sequences past the written rows, and gather the planner's statistics."""
    cursor = connection.cursor()
    if dialect == "postgresql":
        for table, last in generated.ids.items():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max(last, 1)})")
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a settled table: visibility map and statistics
        connection.autocommit = False
    else:
        cursor.execute("ANALYZE")
        connection.commit()


def row_counts(session: Any) -> dict[str, int]:
    """How many rows each table of the history holds."""
    return {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in ORDER}
