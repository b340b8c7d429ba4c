"""The start page shows the selected process's start form; refused start data stays typed, with its errors."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from tests.helpers import end_of, sh
from tests.test_start_data import WINDOW, WINDOW_FORMS
from tests.test_web_pages import csrf_token, sign_in
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import ProcessInstance
from workflows.work.instances import instance_work_items


def _start(client: FlaskClient, form: dict[str, str]):  # noqa: ANN202
    return client.post("/instances", data={**form, "csrf_token": csrf_token(client, "/instances/new")})


def test_the_start_form_refuses_then_starts(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    with app.app_context():
        deploy(db.session, WINDOW, WINDOW_FORMS, None)
        db.session.commit()
    set_clock(lambda: sh(1, 21, 10))
    sign_in(client, "jd_msa_leader")

    page = client.get("/instances/new?process=timer_window").get_data(as_text=True)
    assert 'name="effective_date" type="date"' in page and 'name="case_no"' in page
    plain = client.get("/instances/new?process=case_transfer").get_data(as_text=True)
    assert 'name="effective_date"' not in plain  # case transfer starts with its registration task instead

    refused = _start(client, {"process_key": "timer_window", "business_key": "WIN-1", "case_no": "JD-调-9"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert '<p class="field-error" data-error-for="effective_date">此项为必填项。</p>' in body
    assert 'value="JD-调-9"' in body and 'value="WIN-1"' in body  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0

    started = _start(client, {"process_key": "timer_window", "business_key": "WIN-1",
                              "effective_date": "2026-01-20", "case_no": "JD-调-9"})
    assert started.status_code == 302
    with app.app_context():
        instance = db.session.scalars(select(ProcessInstance)).one()
        (item,) = instance_work_items(db.session, instance, active_only=True)
        assert item.due_at == end_of(2, 24)
        assert instance.state["xietong_data"]["case_no"] == "JD-调-9"
