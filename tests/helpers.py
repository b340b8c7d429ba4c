"""Shared test data and small HTTP helpers."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from workflows.clock import set_clock
from workflows.deadlines.calendar import SHANGHAI
from workflows.deployment.definitions import compiled
from workflows.engine.runtime import restore_workflow
from workflows.models import Agency, CaseMeasure, InstanceParticipant, User
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.work_items import claim, complete

REGISTER = {
    "admin_case_no": "沪嘉市监案〔2026〕101号",
    "case_summary": "销售假冒注册商标的运动鞋",
    "parties": [{"name": "上海某贸易有限公司", "party_type": "legal_person"}],
    "ip_type": "trademark",
    "suspected_offence": "销售假冒注册商标的商品罪",
    "illegal_business_volume": 86000,
    "illegal_gains": 12000,
    "evidence_list": [{"name": "现场检查笔录"}],
}


def start_case(client: FlaskClient, headers: dict[str, str], business_key: str = "JD-2026-101") -> dict[str, Any]:
    """Start a case transfer as the given user and return the instance."""
    response = client.post("/api/v1/process-instances", json={"process_key": "case_transfer",
                                                               "business_key": business_key}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def open_item(client: FlaskClient, headers: dict[str, str], task_name: str) -> dict[str, Any]:
    """The caller's queued item for a task."""
    queue = client.get("/api/v1/work-items?view=queue", headers=headers).get_json()
    matches = [i for i in queue if i["task_name"] == task_name]
    assert matches, f"{task_name} not in queue: {[i['task_name'] for i in queue]}"
    return matches[0]


def upload(client, headers, folder: Path, name="inspection.bpmn", forms=("request.json", "result.json")):  # noqa: ANN001
    """Upload a diagram folder as multipart form data."""
    files = {"diagram": (io.BytesIO((folder / name).read_bytes()), name),
             "forms": [(io.BytesIO((folder / f).read_bytes()), f) for f in forms]}
    return client.post("/api/v1/process-definitions", data=files, headers=headers,
                       content_type="multipart/form-data")


def setup_customs(client, admin):  # noqa: ANN001
    """Create the agency type, two agencies and their users through the API."""
    created = client.post("/api/v1/agency-types", json={"code": "customs", "name": "海关"}, headers=admin)
    assert created.status_code == 201
    for code, place in (("customs_sh", "上海市"), ("customs_ks", "昆山市")):
        body = {"code": code, "name": f"{place}海关", "type": "customs", "jurisdiction": place, "level": "city"}
        assert client.post("/api/v1/agencies", json=body, headers=admin).status_code == 201
    users = [("sh_officer", "customs_sh", ["liaison"]), ("ks_inspector", "customs_ks", ["inspector"]),
             ("ks_officer", "customs_ks", ["liaison"])]
    for username, agency, roles in users:
        body = {"username": username, "display_name": username, "agency_code": agency, "roles": roles,
                "password": "secret-pass-1"}
        assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201


def login(client, username):  # noqa: ANN001
    """Bearer headers for a user created in the test."""
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "secret-pass-1"}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


def take(client, headers, task_name):  # noqa: ANN001
    """Find the task in the caller's queue and claim it."""
    queue = client.get("/api/v1/work-items?view=queue", headers=headers).get_json()
    item = next(i for i in queue if i["task_name"] == task_name)
    assert client.post(f"/api/v1/work-items/{item['id']}/claim", headers=headers).status_code == 200
    return item


# --- engine-level driver: one instance stepped through the services at fixed clock instants ------

def sh(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    """A Shanghai wall-clock instant."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(month: int, day: int, year: int = 2026) -> datetime:
    """24:00 of a Shanghai calendar day, where an N-day period ends."""
    return sh(month, day, year=year) + timedelta(days=1)


class Case:
    """One process instance, stepped one work item at a time at fixed clock instants.

    `step` asserts the waiting item's task, agency, role, creation and due time, then claims and
    completes it as the given user at the given instant (so the next items are created then).
    """

    def __init__(self, session, ids: dict[str, int], start: datetime, key: str = "JD-2026-101", *,  # noqa: ANN001
                 process: str = "case_transfer", starter: str = "jd_msa_liaison",
                 data: dict[str, Any] | None = None) -> None:
        self.session, self.ids, self.clock, self.done = session, ids, start, []
        set_clock(lambda: start)
        self.instance = start_instance(session, self.user(starter), process, data=data, business_key=key)
        session.commit()
        assert self.instance.status == "running", self.instance.error_reason

    def user(self, name: str) -> User:
        return self.session.get(User, self.ids[name])

    def items(self) -> list:
        """The active work items."""
        return instance_work_items(self.session, self.instance, active_only=True)

    def item(self, task: str | None = None):  # noqa: ANN201
        """The single active work item (of the given task, where several are active)."""
        items = [i for i in self.items() if task is None or i.task_name == task]
        assert len(items) == 1, [i.task_name for i in self.items()]
        return items[0]

    def move_to(self, at: datetime) -> None:
        """Set the clock."""
        self.clock = at
        set_clock(lambda: at)

    def step(self, task: str, username: str, data: dict, *, at: datetime, agency: str = "jd_msa",
             role: str = "liaison", due: datetime | None = None, provisional: bool = False,
             created: datetime | None = None):  # noqa: ANN201
        """Check the waiting item, then claim and complete it at `at`."""
        several = len(self.items()) > 1
        item = self.item(task if several else None)
        assert (item.task_name, item.candidate_agency.code, item.required_role) == (task, agency, role)
        assert item.created_at == (created or self.clock), f"{task}: created {item.created_at}"
        assert item.due_at == due, f"{task}: due {item.due_at and item.due_at.astimezone(SHANGHAI)}"
        assert item.due_provisional is provisional
        self.move_to(at)
        actor = self.user(username)
        claim(self.session, actor, item)
        complete(self.session, actor, item, data)
        self.session.commit()
        assert self.instance.status in ("running", "completed"), self.instance.error_reason
        self.done.append(task)
        return item

    def ended_at(self) -> set[str]:
        """The ids of the completed end events (those named `end_...`)."""
        workflow = restore_workflow(compiled(self.session, self.instance.definition).specs(), self.instance.state)
        return {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)
                if (t.task_spec.bpmn_id or "").startswith("end_")}

    def finish(self, end_event: str) -> None:
        """The instance completed at the given end event, with exactly the stepped items completed."""
        assert self.instance.status == "completed", self.instance.error_reason
        assert self.instance.completed_at == self.clock
        items = instance_work_items(self.session, self.instance)
        assert [(i.task_name, i.status) for i in items] == [(t, "completed") for t in self.done]
        assert self.ended_at() == {end_event}
        outcomes = compiled(self.session, self.instance.definition).info.outcomes
        assert self.instance.outcome == (outcomes[end_event].code if end_event in outcomes else None)

    def measures(self) -> list[tuple[str, str]]:
        """The measures the case passed, in order, with the agency (code) they count for."""
        rows = self.session.execute(select(CaseMeasure.code, Agency.code)
                                    .join(Agency, Agency.id == CaseMeasure.agency_id)
                                    .where(CaseMeasure.instance_id == self.instance.id).order_by(CaseMeasure.id))
        return [tuple(row) for row in rows]

    def participants(self) -> dict[str, str]:
        rows = self.session.scalars(select(InstanceParticipant).where(
            InstanceParticipant.instance_id == self.instance.id))
        return {self.session.get(Agency, r.agency_id).code: r.reason for r in rows}


# --- a timer worker in a separate process (spawned, so it shares nothing with the test) ---------

def worker_process(database_url: str, at: str, start, results) -> None:  # noqa: ANN001
    """Run one timer-worker pass at a fixed instant against the test database; report the count."""
    from app import create_app
    from app.extensions import db
    from workflows.work.timer_worker import fire_due_timers

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    instant = datetime.fromisoformat(at)
    set_clock(lambda: instant)
    with app.app_context():
        start.wait(60)  # both workers begin together
        results.put(fire_due_timers(db.session))
        db.session.remove()
        db.engine.dispose()


def allow_late_extension(session, key: str = "case_transfer", task: str = "task_decide") -> None:  # noqa: ANN001
    """Deploy a new version of a shipped process whose task allows an extension after its due time (§5.2)."""
    from workflows.deployment.deploy import deploy

    folder = Path(__file__).resolve().parent.parent / "bpmn" / key
    xml = (folder / f"{key}.bpmn").read_text(encoding="utf-8")
    start = xml.index(f'id="{task}"')
    marker = '<spiffworkflow:property name="extension"'
    at = xml.index(marker, start)
    xml = xml[:at] + '<spiffworkflow:property name="lateExtension" value="true" />\n          ' + xml[at:]
    forms = {f.name: f.read_bytes() for f in folder.glob("*.json")}
    assert deploy(session, xml.encode(), forms, None)[1]
    session.commit()
