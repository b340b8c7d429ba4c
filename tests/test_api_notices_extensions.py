"""Notices and deadline extensions over the API, including other agencies' and roles' attempts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers import Case, end_of, sh
from tests.test_case_transfer_paths import ACCEPT, to_police
from workflows.clock import set_clock
from workflows.work.timer_worker import fire_due_timers


@pytest.fixture
def overdue(app, session, shipped):  # noqa: ANN001, ANN201
    """The 嘉定 police decision, reminded and then missed: due 24:00 Mon Mar 9, now Tue Mar 10 09:00."""
    case = Case(session, shipped, sh(3, 2, 9))
    to_police(case, approve_due=end_of(3, 5))
    case.step("task_accept", "jd_police_liaison", ACCEPT, agency="jd_police", due=sh(3, 4, 15), at=sh(3, 4, 9))
    item_id = case.item().id
    for at in (end_of(3, 8) + timedelta(hours=1), sh(3, 10, 9)):
        set_clock(lambda at=at: at)
        fire_due_timers(session)
    return item_id


def kinds(client, headers, **query) -> list[str]:  # noqa: ANN001, ANN003
    response = client.get("/api/v1/notices", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [n["kind"] for n in response.get_json()]


def unread(client, headers) -> int:  # noqa: ANN001
    return client.get("/api/v1/notices/unread-count", headers=headers).get_json()["unread"]


def test_each_user_sees_the_notices_of_their_agency_and_role(client, auth, overdue):  # noqa: ANN001
    procurator = auth.headers("jd_procurator")
    assert kinds(client, procurator) == ["deadline_missed", "copy_received"]
    assert unread(client, procurator) == 2
    leader, liaison = auth.headers("jd_police_leader"), auth.headers("jd_police_liaison")
    # The decision needs a leader: its reminder and overdue notice go to 嘉定 police leaders only. The
    # transfer arriving from the bureau was told to the police liaisons (the demo leader is one too); the
    # decision, which the police's own acceptance created, was not.
    assert kinds(client, leader) == ["deadline_missed", "deadline_approaching", "task_arrived"]
    assert kinds(client, liaison) == ["task_arrived"]
    assert kinds(client, auth.headers("cn_police_liaison")) == []
    notice = client.get("/api/v1/notices", headers=procurator).get_json()[0]
    assert notice["work_item_id"] == overdue
    assert notice["payload"]["due_at"].startswith("2026-03-09T16:00")
    assert kinds(client, procurator, kind="copy_received") == ["copy_received"]


def test_marking_read_is_per_user_and_agency(client, auth, overdue):  # noqa: ANN001
    procurator, colleague = auth.headers("jd_procurator"), auth.headers("jd_procur_leader")
    first = client.get("/api/v1/notices", headers=procurator).get_json()[0]
    assert client.post(f"/api/v1/notices/{first['id']}/read", headers=procurator).get_json()["read"] is True
    assert unread(client, procurator) == 1
    assert unread(client, colleague) == 2  # agency-wide notices are read per user
    assert kinds(client, procurator, unread="true") == ["copy_received"]
    # Another agency's user cannot read (or learn of) the notice.
    assert client.post(f"/api/v1/notices/{first['id']}/read", headers=auth.headers("cn_police_liaison")
                       ).status_code == 404
    assert client.post("/api/v1/notices/999999/read", headers=procurator).status_code == 404
    assert client.post("/api/v1/notices/read-all", headers=procurator).get_json() == {"unread": 0}
    assert unread(client, colleague) == 2
    assert client.get("/api/v1/notices?limit=0", headers=procurator).status_code == 422


def test_the_supervising_agency_finds_the_overdue_item(client, auth, overdue):  # noqa: ANN001
    procurator = auth.headers("jd_procurator")
    listed = client.get("/api/v1/work-items?view=overdue", headers=procurator).get_json()
    assert [i["id"] for i in listed] == [overdue]
    assert listed[0]["overdue_at"] is not None and listed[0]["candidate_agency"]["code"] == "jd_police"
    assert client.get(f"/api/v1/work-items/{overdue}", headers=procurator).status_code == 200
    # ...but cannot act on it.
    assert client.post(f"/api/v1/work-items/{overdue}/claim", headers=procurator).status_code == 403
    other = auth.headers("cn_police_liaison")
    assert client.get("/api/v1/work-items?view=overdue", headers=other).get_json() == []
    assert client.get(f"/api/v1/work-items/{overdue}", headers=other).status_code == 403


def test_an_extension_after_the_due_time_is_refused(client, auth, overdue):  # noqa: ANN001
    body = {"reason": "案情重大复杂", "approved_by": "县级公安机关负责人 陈刚"}
    late = client.post(f"/api/v1/work-items/{overdue}/extensions", json=body, headers=auth.headers("jd_police_leader"))
    assert late.status_code == 422 and "no extension after the due time" in late.get_json()["message"]
    detail = client.get(f"/api/v1/work-items/{overdue}", headers=auth.headers("jd_police_leader")).get_json()
    assert (detail["extension_count"], detail["overdue"]) == (0, True)


def test_leader_extends_over_the_api(client, auth, overdue):  # noqa: ANN001
    set_clock(lambda: sh(3, 9, 12))  # before the due time (24:00 Mon Mar 9), after the reminder
    leader = auth.headers("jd_police_leader")
    url = f"/api/v1/work-items/{overdue}/extensions"
    body = {"reason": "案情重大复杂", "approved_by": "县级公安机关负责人 陈刚"}
    for name in ("jd_police_liaison", "jd_procurator", "jd_procur_leader"):  # liaison; supervising agency
        assert client.post(url, json=body, headers=auth.headers(name)).status_code == 403
    assert client.post(url, json=body, headers=auth.headers("cn_police_liaison")).status_code == 403
    assert client.post(url, json={"approved_by": "x"}, headers=leader).status_code == 422
    too_late = client.post(url, json={**body, "new_due_at": "2026-05-01T00:00:00+08:00"}, headers=leader)
    assert too_late.status_code == 422 and "new_due_at" in too_late.get_json()["errors"]
    naive = client.post(url, json={**body, "new_due_at": "2026-03-20T00:00:00"}, headers=leader)
    assert naive.status_code == 422

    created = client.post(url, json=body, headers=leader)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["new_due_at"].startswith("2026-04-07T16:00")
    detail = client.get(f"/api/v1/work-items/{overdue}", headers=leader).get_json()
    assert detail["due_at"].startswith("2026-04-07T16:00")
    assert detail["original_due_at"].startswith("2026-03-09T16:00")
    assert (detail["extension_count"], detail["overdue"], detail["overdue_at"]) == (1, False, None)
    assert [e["approved_by"] for e in detail["extensions"]] == ["县级公安机关负责人 陈刚"]
    assert client.get(url, headers=auth.headers("jd_procurator")).get_json()[0]["recorded_by"] == "jd_police_leader"
    assert client.post(url, json=body, headers=leader).status_code == 409  # one extension allowed
    events = client.get(f"/api/v1/process-instances/{detail['instance_id']}/events", headers=leader).get_json()
    assert [e["type"] for e in events if e["type"] == "work_item.extended"] == ["work_item.extended"]
    assert "deadline_extended" in kinds(client, auth.headers("jd_procurator"))


def test_no_api_endpoint_answers_anonymous_callers(app, client, shipped):  # noqa: ANN001
    public = {"/api/v1/auth/token", "/api/v1/openapi.json"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule in public:
            continue
        path = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            checked += 1
    assert checked >= 27  # every route of the API at the time of writing, so none is silently skipped
