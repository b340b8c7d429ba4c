"""Fewer steps (issue 16 item 4): a start claims the first task for its starter, a completion leads on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.helpers import REGISTER
from tests.test_web_pages import post, sign_in
from workflows.deployment.catalog import start_agency_types
from workflows.models import AuditEvent, WorkItem

REGISTER_FORM = {"admin_case_no": REGISTER["admin_case_no"], "ip_type": "trademark",
                 "suspected_offence": REGISTER["suspected_offence"], "illegal_business_volume": "86000",
                 "illegal_gains": "12000", "parties.0.name": "上海某贸易有限公司",
                 "parties.0.party_type": "legal_person", "evidence_list.0.name": "现场检查笔录"}
VERIFY_FORM = {"special_team_officers.0": "王敏", "special_team_officers.1": "李强",
               "transfer_report": "经核实，涉嫌犯罪。"}


def _read(app: Flask, query: Callable[[], Any]) -> Any:
    with app.app_context():
        return query()


def _item(app: Flask, item_id: int) -> tuple[str, str, int | None, int]:
    """(task, status, assignee id, instance id) of an item."""
    def read() -> tuple[str, str, int | None, int]:
        item = db.session.get(WorkItem, item_id)
        return item.task_name, item.status, item.assignee_id, item.instance_id
    return _read(app, read)


def _target(response: Any) -> int:
    return int(response.location.rsplit("/", 1)[1])


def _start(client: FlaskClient, key: str) -> Any:
    return post(client, "/instances", {"process_key": "case_transfer", "business_key": key})


def test_a_starter_who_may_take_the_first_task_lands_on_it_claimed(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    response = _start(client, "JD-FS-1")
    assert response.status_code == 302 and "/work-items/" in response.location
    item = _target(response)
    task, status, assignee, _instance = _item(app, item)
    assert (task, status) == ("task_register", "claimed")
    assert _read(app, lambda: db.session.get(WorkItem, item).assignee.username) == "jd_msa_liaison"
    claims = _read(app, lambda: db.session.scalars(select(AuditEvent.id).where(
        AuditEvent.work_item_id == item, AuditEvent.type == "work_item.claimed")).all())
    assert len(claims) == 1  # recorded as any claim is
    page = client.get(response.location).get_data(as_text=True)
    assert 'data-testid="task-form"' in page  # the form is there at once: no claim step


def test_a_starter_who_may_not_take_the_first_task_lands_on_the_case(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    from workflows.directory import entries
    with app.app_context():  # may start for the agency, but registering is a liaison's
        entries.create_user(db.session, None, username="jd_msa_head", display_name="jd_msa_head",
                            agency_code="jd_msa", roles=["leader"], password="secret-pass-1")
        db.session.commit()
    response = client.post("/login", data={"username": "jd_msa_head", "password": "secret-pass-1",
                                           "csrf_token": _token(client)})
    assert response.status_code == 302
    response = _start(client, "JD-FS-6")
    assert response.status_code == 302 and "/instances/" in response.location
    instance_id = _target(response)
    rows = _read(app, lambda: db.session.execute(select(WorkItem.status, WorkItem.assignee_id)
                                                  .where(WorkItem.instance_id == instance_id)).all())
    assert [tuple(r) for r in rows] == [("open", None)]


def _token(client: FlaskClient) -> str:
    from tests.test_web_pages import csrf_token
    return csrf_token(client)


def test_completing_leads_to_the_next_task_the_same_user_may_take(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")  # registers, then verifies as the special team
    first = _target(_start(client, "JD-FS-2"))
    done = post(client, f"/work-items/{first}", REGISTER_FORM)
    assert done.status_code == 302, done.get_data(as_text=True)
    task, status, _assignee, instance = _item(app, _target(done))
    assert (task, status, instance) == ("task_verify", "open", _item(app, first)[3])
    page = client.get(done.location).get_data(as_text=True)
    assert "/claim" in page  # one click takes it, on its own page


def test_completing_without_a_next_task_for_the_user_leads_to_the_queue(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")  # the approval after the verification is the leader's
    first = _target(_start(client, "JD-FS-3"))
    verify = _target(post(client, f"/work-items/{first}", REGISTER_FORM))
    assert post(client, f"/work-items/{verify}/claim").status_code == 302
    done = post(client, f"/work-items/{verify}", VERIFY_FORM)
    assert done.status_code == 302 and done.location.endswith("/work-items"), done.get_data(as_text=True)
    assert _item(app, verify)[1] == "completed"


def test_the_api_start_claims_on_request_and_the_completion_names_the_next_item(client: FlaskClient, auth,  # noqa: ANN001
                                                                                  shipped) -> None:  # noqa: ANN001
    headers = auth.headers("jd_msa_leader")
    body = {"process_key": "case_transfer", "business_key": "JD-FS-4", "claim_first": True}
    started = client.post("/api/v1/process-instances", json=body, headers=headers)
    assert started.status_code == 201, started.get_json()
    claimed = started.get_json()["claimed_item"]
    assert claimed["task_name"] == "task_register" and claimed["status"] == "claimed"
    done = client.post(f"/api/v1/work-items/{claimed['id']}/complete", json={"data": REGISTER}, headers=headers)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["next_item"]["task_name"] == "task_verify"
    plain = client.post("/api/v1/process-instances", json={"process_key": "case_transfer",
                                                           "business_key": "JD-FS-5"}, headers=headers)
    assert plain.get_json()["claimed_item"] is None  # without the flag the item waits in the queue
    assert plain.get_json()["next_items"][0]["status"] == "open"


@pytest.mark.parametrize(("username", "landing"), [("jd_supervisor", "/dashboard"), ("admin", "/dashboard"),
                                                   ("jd_mediator", "/mediation"), ("jd_msa_liaison", "/work-items")])
def test_users_land_on_the_page_of_their_job(client: FlaskClient, shipped, username: str, landing: str) -> None:  # noqa: ANN001
    signed_in = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                            "csrf_token": _token(client)})
    assert signed_in.status_code == 302 and signed_in.location == "/"
    assert client.get("/").location == landing
    assert client.get(landing).status_code == 200


def test_a_safe_next_wins_over_the_landing_page_and_an_unsafe_one_does_not(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    data = {"username": "jd_supervisor", "password": DEMO_PASSWORD, "next": "/instances"}
    assert client.post("/login", data={**data, "csrf_token": _token(client)}).location == "/instances"
    client.post("/logout", data={"csrf_token": _token(client)})
    data["next"] = "//evil.example/"
    assert client.post("/login", data={**data, "csrf_token": _token(client)}).location == "/"


def test_new_case_shows_only_to_those_who_may_start_something(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    with app.app_context():
        starters = start_agency_types(db.session)
    assert starters["case_transfer"] == {"market_supervision"}
    assert not may_start_any_type(starters, "leading_group")  # the supervisor's agency starts nothing
    sign_in(client, "jd_supervisor")
    for path in ("/work-items", "/instances", "/dashboard"):
        page = client.get(path).get_data(as_text=True)
        assert "新建案件" not in page and 'data-testid="nav-new-case"' not in page, path
    other = app.test_client()
    sign_in(other, "jd_msa_liaison")
    queue = other.get("/work-items").get_data(as_text=True)
    assert 'data-testid="nav-new-case"' in queue and 'data-testid="new-case"' in queue


def test_who_may_start_follows_a_new_deployment_in_the_same_transaction(session, shipped) -> None:  # noqa: ANN001
    from pathlib import Path

    from workflows.deployment.deploy import deploy

    folder = Path(__file__).parent / "data" / "mediation_list"
    forms = {path.name: path.read_bytes() for path in folder.glob("*.json")}
    before = start_agency_types(session)
    definition, _created = deploy(session, (folder / "committee_record.bpmn").read_bytes(), forms, actor=None)
    assert definition.key not in before
    assert start_agency_types(session)[definition.key] == set(definition.start_agency_types)  # read anew


def may_start_any_type(starters: dict[str, frozenset[str]], agency_type: str) -> bool:
    return any(not types or agency_type in types for types in starters.values())
