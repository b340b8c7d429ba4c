"""Drafts (issue 16 item 4): a long form saved unfinished by its holder, restored when the item opens again."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from tests.helpers import REGISTER, start_case
from tests.test_web_pages import post, sign_in
from workflows.models import AuditEvent

UNFINISHED = {"admin_case_no": "沪嘉市监案〔2026〕301号", "illegal_gains": "not a number yet"}


def _claimed_register(client: FlaskClient, headers: dict[str, str], key: str) -> int:
    body = {"process_key": "case_transfer", "business_key": key, "claim_first": True}
    return client.post("/api/v1/process-instances", json=body, headers=headers).get_json()["claimed_item"]["id"]


def _events(app: Flask, item: int, kind: str) -> list[dict]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.payload).where(AuditEvent.work_item_id == item,
                                                                       AuditEvent.type == kind)))


def test_a_draft_is_kept_unchecked_shown_again_and_cleared_by_the_completion(app: Flask, client: FlaskClient,  # noqa: ANN001
                                                                              auth, shipped) -> None:  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    item = _claimed_register(client, headers, "JD-DRAFT-1")
    saved = client.put(f"/api/v1/work-items/{item}/draft", json={"data": UNFINISHED}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["draft"] == UNFINISHED and saved.get_json()["status"] == "claimed"
    assert client.get(f"/api/v1/work-items/{item}", headers=headers).get_json()["draft"] == UNFINISHED
    assert _events(app, item, "work_item.draft_saved") == [{"fields": ["admin_case_no", "illegal_gains"]}]

    done = client.post(f"/api/v1/work-items/{item}/complete", json={"data": REGISTER}, headers=headers)
    assert done.status_code == 200, done.get_json()
    detail = client.get(f"/api/v1/work-items/{item}", headers=headers).get_json()
    assert detail["draft"] is None and detail["draft_saved_at"] is None


def test_only_the_holder_of_a_claimed_item_saves_a_draft(client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    liaison, leader = auth.headers("jd_msa_liaison"), auth.headers("jd_msa_leader")
    item = _claimed_register(client, liaison, "JD-DRAFT-2")
    body = {"data": UNFINISHED}
    another = client.put(f"/api/v1/work-items/{item}/draft", json=body, headers=leader)  # same agency, not the holder
    assert another.status_code == 409
    assert another.get_json()["message"] == "claim the work item before saving a draft"
    assert client.put(f"/api/v1/work-items/{item}/draft", json=body,
                      headers=auth.headers("jd_police_liaison")).status_code == 403
    assert client.put(f"/api/v1/work-items/{item}/draft", json=body).status_code == 401
    client.post(f"/api/v1/work-items/{item}/complete", json={"data": REGISTER}, headers=liaison)
    completed = client.put(f"/api/v1/work-items/{item}/draft", json=body, headers=liaison)
    assert completed.status_code == 409 and completed.get_json()["message"] == f"work item {item} is completed"


def test_an_open_item_takes_no_draft(client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    item = start_case(client, headers, "JD-DRAFT-3")["next_items"][0]["id"]  # open: claimed only on request
    refused = client.put(f"/api/v1/work-items/{item}/draft", json={"data": UNFINISHED}, headers=headers)
    assert refused.status_code == 409


def test_the_page_saves_a_draft_and_opens_with_it(app: Flask, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    started = post(client, "/instances", {"process_key": "case_transfer", "business_key": "JD-DRAFT-4"})
    item = int(started.location.rsplit("/", 1)[1])
    saved = post(client, f"/work-items/{item}/draft", {"admin_case_no": "沪嘉市监案〔2026〕302号",
                                                       "illegal_business_volume": "abc"})
    assert saved.status_code == 302 and saved.location == f"/work-items/{item}"
    page = client.get(saved.location).get_data(as_text=True)
    assert 'value="沪嘉市监案〔2026〕302号"' in page and 'value="abc"' in page  # unchecked, kept as typed
    assert 'data-testid="draft-saved"' in page and "field-error" not in page
    assert len(_events(app, item, "work_item.draft_saved")) == 1
