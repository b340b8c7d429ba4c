"""Issue 16 item 7: the small things seen, each held by a test (some were fixed before; these keep them fixed)."""

from __future__ import annotations

import json

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from app.web.messages import form_errors_shown
from tests.conftest import ROOT
from tests.helpers import REGISTER, open_item, start_case
from tests.test_web_pages import sign_in
from workflows.deadlines.periods import parse_period
from workflows.deployment.definitions import CompiledDefinition
from workflows.messages import Message

TRANSFER = json.loads((ROOT / "bpmn" / "case_transfer" / "transfer.json").read_text(encoding="utf-8"))


def _transfer_errors(data: dict) -> dict[str, list[Message]]:
    return CompiledDefinition(spec={}, info=None, forms={"transfer.json": TRANSFER}).form_errors("transfer.json", data)


def _english(errors: list[Message]) -> list[str]:
    return [found.english for found in errors]


def test_the_queue_tabs_keep_the_due_filter(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    """Fixed before (the template passes `due_filter`): the tabs carried `due=<Macro 'due'>`."""
    sign_in(client, "jd_msa_liaison")
    page = client.get("/work-items?view=queue&due=overdue").get_data(as_text=True)
    assert "Macro" not in page and "view=mine&amp;due=overdue" in page


def test_the_dashboard_does_not_call_claimed_items_unclaimed(client: FlaskClient, shipped) -> None:  # noqa: ANN001
    """The per-agency and per-process columns count open and claimed items: 未办结, not 待认领 (a status)."""
    sign_in(client, "jd_supervisor")
    page = client.get("/dashboard").get_data(as_text=True)
    assert page.count("<th>未办结</th>") == 2 and "<th>待认领</th>" not in page


def test_the_extension_reason_names_the_period_in_chinese(app: Flask) -> None:
    """Fixed before (the `period` filter): 延长 27 days 的理由."""
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        shown = render_template_string('{{ _("Reason for extending by %(period)s", period=p|period) }}',
                                       p=parse_period("27 days"))
    assert shown == "延长 27日 的理由"


def test_a_required_checkbox_says_what_to_confirm(app: Flask) -> None:
    errors = _transfer_errors({"copied_to_procuratorate": False})
    assert _english(errors["copied_to_procuratorate"]) == ["must be confirmed: 已将移送书抄送同级人民检察院"]
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert form_errors_shown(errors)["copied_to_procuratorate"] == ["请确认“已将移送书抄送同级人民检察院”。"]


def test_missing_required_options_are_named(app: Flask) -> None:
    errors = _transfer_errors({"transfer_documents": ["seized_items_list", "test_report"]})
    assert _english(errors["transfer_documents"]) == ["must include the option: 涉嫌犯罪案件移送书",
                                                      "must include the option: 涉嫌犯罪案件调查报告"]
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert form_errors_shown(errors)["transfer_documents"] == ["请勾选“涉嫌犯罪案件移送书”：这是必需的。",
                                                              "请勾选“涉嫌犯罪案件调查报告”：这是必需的。"]


def test_the_favicon_is_served(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\0\0\1\0"
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_api_errors_keep_chinese_and_show_values_as_typed(client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    start_case(client, liaison)
    item = open_item(client, liaison, "task_register")
    client.post(f"/api/v1/work-items/{item['id']}/claim", headers=liaison)
    refused = client.post(f"/api/v1/work-items/{item['id']}/complete", headers=liaison,
                          json={"data": {**REGISTER, "case_summary": ["张三"]}})
    assert refused.status_code == 422
    raw = refused.get_data(as_text=True)
    assert "\\u" not in raw and "张三" in raw  # UTF-8, not \u escapes
    assert refused.get_json()["errors"]["case_summary"] == ["[\"张三\"] is not of type 'string'"]  # JSON, not repr


def test_a_case_number_names_one_case_of_a_process(client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    liaison = auth.headers("jd_msa_liaison")
    first = start_case(client, liaison, "JD-2026-777")
    again = client.post("/api/v1/process-instances", headers=liaison,
                        json={"process_key": "case_transfer", "business_key": "JD-2026-777"})
    assert again.status_code == 409
    assert again.get_json()["message"] == f"case number 'JD-2026-777' is already used by case {first['id']} of " \
                                          "this process"
    assert client.post("/api/v1/process-instances", headers=liaison,  # cases without a number are not counted
                       json={"process_key": "case_transfer"}).status_code == 201
    assert client.post("/api/v1/process-instances", headers=liaison,
                       json={"process_key": "case_transfer"}).status_code == 201


def test_the_case_number_refusal_on_the_page(client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    start_case(client, auth.headers("jd_msa_liaison"), "JD-2026-778")
    sign_in(client, "jd_msa_liaison")
    from tests.test_web_pages import post
    refused = post(client, "/instances", {"process_key": "case_transfer", "business_key": "JD-2026-778"})
    page = client.get(refused.location).get_data(as_text=True)
    assert "案件编号 JD-2026-778 已被本流程的案件 #" in page


def test_the_queue_carries_paging_headers(client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    """Fixed before (app/api/paging.py): the queue pages by cursor like the other lists."""
    liaison = auth.headers("jd_msa_liaison")
    for number in ("JD-P-1", "JD-P-2"):
        start_case(client, liaison, number)
    first = client.get("/api/v1/work-items?view=queue&limit=1", headers=liaison)
    cursor = first.headers["X-Next-Cursor"]
    assert 'rel="next"' in first.headers["Link"] and len(first.get_json()) == 1
    second = client.get(f"/api/v1/work-items?view=queue&limit=1&after={cursor}", headers=liaison).get_json()
    assert second and second[0]["id"] != first.get_json()[0]["id"]


def test_the_api_has_a_swagger_ui_page(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-spec-url="/api/v1/openapi.json"' in text and "<script>" not in text
    with client.get("/static/js/api-docs.js") as script:
        assert script.status_code == 200
