"""Pages through the Flask test client: sign-in redirects, 403 for other agencies and roles, CSRF, languages."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.browser.seed import case_at_transfer
from tests.helpers import REGISTER
from workflows.models import WorkItem

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page's forms carry."""
    found = TOKEN.search(client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, username: str) -> None:
    """Sign in through the form, with its CSRF token."""
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict | None = None):  # noqa: ANN201
    """POST a page form with a fresh CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/work-items")})


def start_case(client: FlaskClient, key: str = "JD-T-1") -> int:
    """Start a case transfer through the page; returns the first work item's id."""
    response = post(client, "/instances", {"process_key": "case_transfer", "business_key": key})
    assert response.status_code == 302
    return int(response.location.rsplit("/", 1)[1])


PAGES = ["/", "/work-items", "/work-items/1", "/instances", "/instances/1", "/instances/new", "/notices",
         "/dashboard", "/admin/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_sign_in_shows_agency_and_role_then_sign_out(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    page = client.get("/work-items").get_data(as_text=True)
    assert "嘉定区市场监督管理局" in page and "联络员" in page and "待办工作" in page
    assert post(client, "/logout").status_code == 302
    assert client.get("/work-items").status_code == 302


def test_wrong_password_is_refused(client: FlaskClient, demo) -> None:  # noqa: ANN001
    response = client.post("/login", data={"username": "jd_msa_liaison", "password": "nope",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_rejected(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    assert client.post("/login", data={"username": "jd_msa_liaison", "password": DEMO_PASSWORD}).status_code == 400
    sign_in(client, "jd_msa_liaison")
    item = start_case(client)
    response = client.post(f"/work-items/{item}/claim")
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_api_with_bearer_token_needs_no_csrf_token(client: FlaskClient, auth) -> None:  # noqa: ANN001
    response = client.post("/api/v1/agency-types", json={"code": "customs", "name": "海关"},
                           headers=auth.headers("admin"))
    assert response.status_code == 201


def test_api_with_session_cookie_needs_csrf_token(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    response = client.post("/api/v1/agency-types", json={"code": "customs", "name": "海关"})
    assert response.status_code == 400


def test_other_agency_gets_403_on_item_and_instance(app, shipped) -> None:  # noqa: ANN001
    owner, other = app.test_client(), app.test_client()
    sign_in(owner, "jd_msa_liaison")
    item = start_case(owner)
    sign_in(other, "jd_police_liaison")
    assert other.get(f"/work-items/{item}").status_code == 403
    assert post(other, f"/work-items/{item}/claim").status_code == 403
    with app.app_context():
        instance_id = db.session.get(WorkItem, item).instance_id
    page = other.get(f"/instances/{instance_id}")
    assert page.status_code == 403 and "无权访问" in page.get_data(as_text=True)


def test_wrong_role_gets_403_on_claim_and_admin_pages(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    case_at_transfer(app, "JD-T-2", steps=2)  # task_approve waits for a leader of 嘉定 MSA
    sign_in(client, "jd_msa_liaison")
    queue = client.get("/work-items?view=queue").get_data(as_text=True)
    assert "负责人审批移送" not in queue  # not in a liaison's queue
    with app.app_context():
        item = db.session.scalars(select(WorkItem).where(WorkItem.task_name == "task_approve")).one().id
    assert client.get(f"/work-items/{item}").status_code == 200  # same agency may look
    assert post(client, f"/work-items/{item}/claim").status_code == 403
    assert client.get("/admin/").status_code == 403
    assert client.get("/dashboard").status_code == 403


def test_claim_submit_errors_then_complete(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    item = start_case(client)  # claimed for its starter at the start
    invalid = post(client, f"/work-items/{item}", {"admin_case_no": "X-1", "illegal_gains": "abc"})
    assert invalid.status_code == 422
    body = invalid.get_data(as_text=True)
    assert 'data-error-for="parties"' in body and 'data-error-for="illegal_gains"' in body
    assert 'value="X-1"' in body
    form = {"admin_case_no": REGISTER["admin_case_no"], "ip_type": "trademark",
            "suspected_offence": REGISTER["suspected_offence"], "illegal_business_volume": "86000",
            "illegal_gains": "12000", "parties.0.name": "上海某贸易有限公司", "parties.0.party_type": "legal_person",
            "parties.3.name": "", "evidence_list.0.name": "现场检查笔录", "evidence_list.0.pages": "2"}
    done = post(client, f"/work-items/{item}", form)
    assert done.status_code == 302, done.get_data(as_text=True)
    detail = client.get(f"/work-items/{item}").get_data(as_text=True)
    assert "已办结" in detail or "已完成" in detail


def test_release_puts_item_back(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    sign_in(client, "jd_msa_liaison")
    item = start_case(client)  # claimed for its starter at the start
    assert post(client, f"/work-items/{item}/release").status_code == 302
    queue = client.get("/work-items?view=queue").get_data(as_text=True)
    assert f'data-item="{item}"' in queue


@pytest.mark.parametrize("path", ["/work-items", "/instances", "/instances/new", "/notices",
                                  "/work-items?view=overdue", "/work-items?view=completed&due=overdue"])
def test_pages_answer_in_chinese_by_default_and_english_when_switched(client: FlaskClient, shipped,  # noqa: ANN001
                                                                       path: str) -> None:
    sign_in(client, "jd_msa_liaison")
    assert "待办工作" in client.get(path).get_data(as_text=True)
    client.get("/language/en")
    english = client.get(path).get_data(as_text=True)
    assert "Work queue" in english and "待办工作" not in english
    assert '<html lang="en">' in english


def test_dashboard_counts_open_and_overdue_items(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    case_at_transfer(app, "JD-T-3", steps=1)  # task_verify has a 24-hour deadline
    from datetime import timedelta

    from workflows.clock import now, set_clock

    later = now() + timedelta(days=3)
    set_clock(lambda: later)
    sign_in(client, "jd_supervisor")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-bucket="overdue" data-count="1"' in page
    assert "专案组核实并提出移送报告" in page and "嘉定区市场监督管理局" in page
