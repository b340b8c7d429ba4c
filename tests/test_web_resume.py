"""The admin's resume form on the page of a case in error: refused input is kept, the case runs again."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from tests.helpers import sh
from tests.test_resume import DATA, SHARE_FORMS
from tests.test_web_pages import csrf_token, sign_in
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy
from workflows.models import ProcessInstance, User
from workflows.work.instances import instance_work_items, start_instance


def _case_in_error(app) -> int:  # noqa: ANN001
    """The share test diagram started with parts = 0: its script fails."""
    with app.app_context():
        set_clock(lambda: sh(3, 2, 9))
        deploy(db.session, (DATA / "recovery/share.bpmn").read_bytes(), SHARE_FORMS, None)
        starter = db.session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
        instance = start_instance(db.session, starter, "recovery_share",
                                  data={"total": 90, "parts": 0, "target_agency": "ks_msa"})
        db.session.commit()
        assert instance.status == "error"
        return instance.id


def _resume(client: FlaskClient, instance_id: int, text: str):  # noqa: ANN202
    path = f"/instances/{instance_id}"
    return client.post(f"{path}/resume", data={"corrections": text, "csrf_token": csrf_token(client, path)})


def test_admin_resumes_a_case_after_a_refused_correction(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    sign_in(client, "admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert 'data-testid="resume-form"' in page and "ZeroDivisionError" in page
    refused = _resume(client, instance_id, '{"parts": 3')
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "不是有效的 JSON" in body and '{&#34;parts&#34;: 3</textarea>' in body  # what was typed is kept
    assert _resume(client, instance_id, "[3]").status_code == 422
    not_a_number = _resume(client, instance_id, '{"parts": NaN}')  # said in the page language
    assert not_a_number.status_code == 422
    assert "NaN 不是 JSON 数值；请填写有限的数值或空值" in not_a_number.get_data(as_text=True)
    done = _resume(client, instance_id, '{"parts": 3}')
    assert done.status_code == 302
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "案件已恢复运行" in page and 'data-testid="resume-form"' not in page
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance.status == "running"
        assert [i.task_name for i in instance_work_items(db.session, instance, active_only=True)] == ["task_handle"]


def test_the_form_is_for_admins_only(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    sign_in(client, "jd_msa_liaison")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "ZeroDivisionError" in page and 'data-testid="resume-form"' not in page
    response = _resume(client, instance_id, '{"parts": 3}')
    assert response.status_code == 302
    assert "案件无法恢复运行" in client.get(f"/instances/{instance_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ProcessInstance, instance_id).status == "error"
    # Without the CSRF token nothing happens.
    sign_in(client, "admin")
    assert client.post(f"/instances/{instance_id}/resume", data={"corrections": ""}).status_code == 400
