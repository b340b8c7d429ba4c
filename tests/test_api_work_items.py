"""Work-item endpoints: queues, claim races, release, reassign, complete, and who may do what."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import REGISTER, open_item, start_case
from tests.test_case_transfer_paths import VERIFY


@pytest.fixture
def item(client, auth, shipped):  # noqa: ANN001
    """The registration item of a fresh case in 嘉定 bureau's queue."""
    start_case(client, auth.headers("jd_msa_liaison"))
    return open_item(client, auth.headers("jd_msa_liaison"), "task_register")


def _post(client, path, headers, **kwargs):  # noqa: ANN001
    return client.post(path, headers=headers, **kwargs)


@pytest.mark.parametrize("action", ["claim", "release", "complete", "reassign"])
def test_actions_need_login(client, item, action):  # noqa: ANN001
    response = client.post(f"/api/v1/work-items/{item['id']}/{action}", json={"data": {}, "assignee_id": 1})
    assert response.status_code == 401
    assert response.get_json()["message"]


def test_bad_token_is_401(client, item):  # noqa: ANN001
    response = client.get(f"/api/v1/work-items/{item['id']}", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


@pytest.mark.parametrize("username", ["cn_msa_liaison", "jd_police_liaison"])
def test_other_agency_cannot_see_or_claim(client, auth, item, username):  # noqa: ANN001
    headers = auth.headers(username)
    assert client.get(f"/api/v1/work-items/{item['id']}", headers=headers).status_code == 403
    assert _post(client, f"/api/v1/work-items/{item['id']}/claim", headers).status_code == 403
    queue = client.get("/api/v1/work-items?view=queue", headers=headers).get_json()
    assert item["id"] not in [i["id"] for i in queue]


def test_wrong_role_cannot_claim(client, auth, item):  # noqa: ANN001
    # A supervisor of another agency sees everything but may not act.
    assert _post(client, f"/api/v1/work-items/{item['id']}/claim", auth.headers("jd_supervisor")).status_code == 403


def test_leader_task_refuses_liaison(client, auth, item):  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    _post(client, f"/api/v1/work-items/{item['id']}/claim", liaison)
    _post(client, f"/api/v1/work-items/{item['id']}/complete", liaison, json={"data": REGISTER})
    verify = open_item(client, liaison, "task_verify")
    _post(client, f"/api/v1/work-items/{verify['id']}/claim", liaison)
    body = {"special_team_officers": ["王敏", "李强"], "transfer_report": "经核实，涉案金额达到追诉标准。"}
    assert _post(client, f"/api/v1/work-items/{verify['id']}/complete", liaison,
                 json={"data": body}).status_code == 200
    approve = client.get("/api/v1/work-items?view=queue", headers=auth.headers("jd_msa_leader")).get_json()
    approve = next(i for i in approve if i["task_name"] == "task_approve")
    assert approve["required_role"] == "leader"
    assert _post(client, f"/api/v1/work-items/{approve['id']}/claim", liaison).status_code == 403
    assert _post(client, f"/api/v1/work-items/{approve['id']}/claim", auth.headers("jd_msa_leader")).status_code == 200


def test_unknown_item_is_404(client, auth, item):  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    assert client.get("/api/v1/work-items/99999", headers=headers).status_code == 404
    for action in ("claim", "release", "complete"):
        assert _post(client, f"/api/v1/work-items/99999/{action}", headers, json={"data": {}}).status_code == 404


def test_claim_twice_is_409_and_release_returns_to_queue(client, auth, item):  # noqa: ANN001
    liaison, leader = auth.headers("jd_msa_liaison"), auth.headers("jd_msa_leader")
    assert _post(client, f"/api/v1/work-items/{item['id']}/claim", liaison).get_json()["assignee"] == "jd_msa_liaison"
    second = _post(client, f"/api/v1/work-items/{item['id']}/claim", leader)
    assert second.status_code == 409
    mine = client.get("/api/v1/work-items?view=mine", headers=liaison).get_json()
    assert [i["id"] for i in mine] == [item["id"]]
    released = _post(client, f"/api/v1/work-items/{item['id']}/release", liaison)
    assert released.status_code == 200 and released.get_json()["status"] == "open"
    assert _post(client, f"/api/v1/work-items/{item['id']}/release", liaison).status_code == 409


@pytest.mark.committed  # two threads, two connections: the race is the database's
def test_simultaneous_claims_one_wins(app, auth, item):  # noqa: ANN001
    users = ["jd_msa_liaison", "jd_msa_leader"]
    headers = {u: auth.headers(u) for u in users}
    barrier, results = threading.Barrier(2), {}

    def claim(username: str) -> None:
        client = app.test_client()
        barrier.wait()
        results[username] = client.post(f"/api/v1/work-items/{item['id']}/claim", headers=headers[username])

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results.values()) == [200, 409]
    winner = next(u for u, r in results.items() if r.status_code == 200)
    detail = app.test_client().get(f"/api/v1/work-items/{item['id']}", headers=headers[winner]).get_json()
    assert detail["assignee"] == winner


def test_release_by_someone_else_needs_leader(app, client, auth, item):  # noqa: ANN001
    from app.extensions import db
    from workflows.directory.entries import create_user

    with app.app_context():
        create_user(db.session, None, username="jd_msa_2", display_name="二号联络员", agency_code="jd_msa",
                    roles=["liaison"], password="xietong-demo")
        db.session.commit()
    _post(client, f"/api/v1/work-items/{item['id']}/claim", auth.headers("jd_msa_liaison"))
    assert _post(client, f"/api/v1/work-items/{item['id']}/release", auth.headers("jd_msa_2")).status_code == 403
    assert _post(client, f"/api/v1/work-items/{item['id']}/release", auth.headers("jd_msa_leader")).status_code == 200


def test_reassign_rules(client, auth, demo, item):  # noqa: ANN001
    leader, liaison = auth.headers("jd_msa_leader"), auth.headers("jd_msa_liaison")
    target = demo["jd_msa_liaison"]
    assert _post(client, f"/api/v1/work-items/{item['id']}/reassign", liaison,
                 json={"assignee_id": target}).status_code == 403
    outsider = demo["cn_msa_liaison"]
    response = _post(client, f"/api/v1/work-items/{item['id']}/reassign", leader, json={"assignee_id": outsider})
    assert response.status_code == 422 and "assignee_id" in response.get_json()["errors"]
    assert _post(client, f"/api/v1/work-items/{item['id']}/reassign", leader,
                 json={"assignee_id": 99999}).status_code == 422
    assert _post(client, f"/api/v1/work-items/{item['id']}/reassign", leader,
                 json={"assignee_id": "x"}).status_code == 422
    done = _post(client, f"/api/v1/work-items/{item['id']}/reassign", leader, json={"assignee_id": target})
    assert done.status_code == 200 and done.get_json()["assignee"] == "jd_msa_liaison"
    events = client.get(f"/api/v1/process-instances/{item['instance_id']}/events", headers=leader).get_json()
    assert "work_item.reassigned" in [e["type"] for e in events]


def test_complete_needs_claim_then_validates(client, auth, item):  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    path = f"/api/v1/work-items/{item['id']}/complete"
    assert _post(client, path, liaison, json={"data": REGISTER}).status_code == 409
    _post(client, f"/api/v1/work-items/{item['id']}/claim", liaison)
    bad = _post(client, path, liaison, json={"data": {**REGISTER, "ip_type": "recipe", "illegal_gains": -5}})
    assert bad.status_code == 422
    assert {"ip_type", "illegal_gains"} <= set(bad.get_json()["errors"])
    missing = _post(client, path, liaison, json={"data": {"admin_case_no": "x"}})
    assert "parties" in missing.get_json()["errors"]
    assert _post(client, path, liaison, json={"wrong": 1}).status_code == 422
    malformed = _post(client, path, liaison, data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.get_json()["message"]
    done = _post(client, path, liaison, json={"data": REGISTER})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    assert _post(client, path, liaison, json={"data": REGISTER}).status_code == 409


def test_views_and_filters(client, auth, item):  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    assert client.get("/api/v1/work-items?view=bogus", headers=liaison).status_code == 422
    by_key = client.get("/api/v1/work-items?view=queue&process_key=case_transfer", headers=liaison).get_json()
    assert [i["id"] for i in by_key] == [item["id"]]
    assert client.get("/api/v1/work-items?view=queue&process_key=other", headers=liaison).get_json() == []
    _post(client, f"/api/v1/work-items/{item['id']}/claim", liaison)
    _post(client, f"/api/v1/work-items/{item['id']}/complete", liaison, json={"data": REGISTER})
    done = client.get("/api/v1/work-items?view=completed", headers=liaison).get_json()
    assert [i["id"] for i in done] == [item["id"]]


def test_start_and_complete_answer_with_what_the_caller_may_take_next(client, auth, shipped):  # noqa: ANN001
    """A client follows a case without reading queues: each answer names the next item it may take."""
    liaison, leader = auth.headers("jd_msa_liaison"), auth.headers("jd_msa_leader")
    started = start_case(client, liaison)
    (first,) = started["next_items"]
    assert (first["task_name"], first["status"]) == ("task_register", "open")
    _post(client, f"/api/v1/work-items/{first['id']}/claim", liaison)
    done = _post(client, f"/api/v1/work-items/{first['id']}/complete", liaison, json={"data": REGISTER}).get_json()
    assert (done["status"], done["instance_status"]) == ("completed", "running")
    (verify,) = done["next_items"]
    assert verify["task_name"] == "task_verify"
    _post(client, f"/api/v1/work-items/{verify['id']}/claim", liaison)
    done = _post(client, f"/api/v1/work-items/{verify['id']}/complete", liaison, json={"data": VERIFY}).get_json()
    assert done["next_items"] == []  # the approval needs a leader
    approve = client.get(f"/api/v1/process-instances/{started['id']}", headers=leader).get_json()["next_items"]
    assert [i["task_name"] for i in approve] == ["task_approve"]


def test_the_next_agency_reads_only_its_own_next_items_of_a_case(client, auth, shipped):  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    started = start_case(client, liaison)
    path = f"/api/v1/process-instances/{started['id']}/next-items"
    assert [i["task_name"] for i in client.get(path, headers=liaison).get_json()] == ["task_register"]
    leader = auth.headers("jd_msa_leader")  # holds the liaison role too
    assert client.get(path, headers=leader).get_json() == client.get(path, headers=liaison).get_json()
    assert client.get(path, headers=auth.headers("jd_police_liaison")).status_code == 403  # not taking part
    assert client.get(path).status_code == 401
