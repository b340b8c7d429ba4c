"""Conditional fields (issue 16 item 4): a field shows and is accepted only when its branch of the form applies."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.browser.seed import case_at_transfer
from tests.test_web_pages import sign_in
from workflows.deployment.conditions import applies, field_conditions, inapplicable_errors
from workflows.messages import message

ACCEPT_FORM = json.loads((Path(__file__).parents[1] / "bpmn" / "case_transfer" / "accept.json").read_text("utf-8"))

DEPENDENT = {"type": "object", "properties": {"agent_appointed": {"type": "string"}, "agent_name": {"type": "string"},
                                              "note": {"type": "string"}},
             "dependentSchemas": {"agent_appointed": {"required": ["agent_name"]}}}

NOT_APPLICABLE = message("form_not_applicable")  # a field of a branch the choices did not take


def test_the_forward_reason_applies_only_when_forwarding() -> None:
    conditions = field_conditions(ACCEPT_FORM)
    assert "acceptance" not in conditions  # required, and read by the branches: always shown
    assert applies(conditions["forward_reason"], {"acceptance": "forward"})
    assert not applies(conditions["forward_reason"], {"acceptance": "accept"})
    assert not applies(conditions["forward_reason"], {})
    assert applies(conditions["receipt_no"], {"acceptance": "accept"})
    assert applies(conditions["missing_materials"], {"acceptance": "request_supplement"})


def test_dependent_schemas_and_else_branches_make_fields_conditional() -> None:
    conditions = field_conditions(DEPENDENT)
    assert set(conditions) == {"agent_name"}
    assert applies(conditions["agent_name"], {"agent_appointed": "yes"})
    assert not applies(conditions["agent_name"], {"agent_appointed": ""})
    with_else = {"type": "object", "properties": {"kind": {"type": "string"}, "a": {}, "b": {}},
                 "if": {"properties": {"kind": {"enum": ["x", "y"]}}}, "then": {"required": ["a"]},
                 "else": {"required": ["b"]}}
    conditions = field_conditions(with_else)
    assert applies(conditions["a"], {"kind": "y"}) and not applies(conditions["b"], {"kind": "y"})
    assert applies(conditions["b"], {"kind": "z"})


def test_a_field_that_does_not_apply_is_refused_at_its_name() -> None:
    data = {"acceptance": "accept", "receipt_no": "R-1", "forward_reason": "不属于本机关管辖"}
    assert inapplicable_errors(ACCEPT_FORM, data) == {"forward_reason": [NOT_APPLICABLE]}
    assert inapplicable_errors(ACCEPT_FORM, {**data, "acceptance": "forward", "police_agency": "cn_police"}) == {
        "receipt_no": [NOT_APPLICABLE]}


def test_the_service_refuses_a_submission_with_a_field_of_another_branch(client: FlaskClient, auth, app: Flask,  # noqa: ANN001
                                                                         shipped) -> None:  # noqa: ANN001
    instance_id = _at_acceptance(app, "JD-COND-1")
    headers = auth.headers("jd_police_liaison")
    item = _item_of(client, headers, instance_id, "task_accept")
    assert client.post(f"/api/v1/work-items/{item}/claim", headers=headers).status_code == 200
    body = {"data": {"acceptance": "accept", "receipt_no": "嘉公回〔2026〕1号", "forward_reason": "不属于本机关管辖"}}
    refused = client.post(f"/api/v1/work-items/{item}/complete", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"forward_reason": [NOT_APPLICABLE.english]}
    del body["data"]["forward_reason"]
    assert client.post(f"/api/v1/work-items/{item}/complete", json=body, headers=headers).status_code == 200


def test_the_page_marks_conditional_fields_and_hides_those_that_do_not_apply(client: FlaskClient, auth,  # noqa: ANN001
                                                                              app: Flask, shipped) -> None:  # noqa: ANN001
    instance_id = _at_acceptance(app, "JD-COND-2")
    headers = auth.headers("jd_police_liaison")
    item = _item_of(client, headers, instance_id, "task_accept")
    client.post(f"/api/v1/work-items/{item}/claim", headers=headers)
    sign_in(client, "jd_police_liaison")
    page = client.get(f"/work-items/{item}").get_data(as_text=True)
    reason = re.search(r'<div class="field[^"]*" data-field="forward_reason"([^>]*)>', page)
    assert reason and "data-show-when=" in reason.group(1) and " hidden" in reason.group(1)
    choice = re.search(r'<div class="field[^"]*" data-field="acceptance"([^>]*)>', page)
    assert choice and "data-show-when" not in choice.group(1)


def _at_acceptance(app: Flask, business_key: str) -> int:
    """A case transferred to 嘉定 police: task_accept waits in its queue."""
    from tests.browser.seed import ProcessInstance, _step
    from tests.test_case_transfer_paths import TRANSFER

    instance_id = case_at_transfer(app, business_key)
    with app.app_context():
        from app.extensions import db
        _step(db.session.get(ProcessInstance, instance_id), "jd_msa_liaison", TRANSFER)
    return instance_id


def _item_of(client: FlaskClient, headers: dict[str, str], instance_id: int, task: str) -> int:
    detail = client.get(f"/api/v1/process-instances/{instance_id}", headers=headers).get_json()
    return next(i["id"] for i in detail["work_items"] if i["task_name"] == task)
