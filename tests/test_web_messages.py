"""Messages reach people in their page's language: stop reasons, diagram problems, refusals, notice titles.

Each is stored or raised as a code with its values (workflows.messages) and rendered when shown:
Chinese on a Chinese page, English on an English one, the API in English with the code and values.
"""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from tests.conftest import DATA
from tests.helpers import REGISTER, open_item, start_case
from tests.test_hostile_scripts import diagram
from tests.test_web_pages import csrf_token, sign_in
from tests.test_web_resume import _case_in_error, _resume
from workflows.deployment.deploy import deploy
from workflows.messages import message
from workflows.models import Agency, ProcessInstance, User
from workflows.work.instances import start_instance
from workflows.work.notices import send


def test_the_case_page_gives_the_stop_reason_in_the_page_language(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    sign_in(client, "admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    shown = "“script_share”处的步骤执行失败：WorkflowTaskException: ZeroDivisionError"
    assert page.count(shown) == 2  # the banner and the timeline's error entry
    assert "at &#39;script_share&#39;" not in page
    # Corrected, the script runs, and the lane then names an agency of the wrong type: stopped again,
    # the agency types named by their names.
    again = _resume(client, instance_id, '{"parts": 3, "target_agency": "jd_police"}')
    page = client.get(again.location).get_data(as_text=True)
    assert "案件再次停止：泳道 承办局：机构“jd_police”的类型是 公安机关 (police)，而该泳道需要 " in page
    client.get("/language/en")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Lane 承办局: agency &#39;jd_police&#39; is a 公安机关 (police), the lane needs a " in page
    assert "的类型是" not in page


def test_a_stop_reason_names_a_field_by_its_title_and_the_resume_form_offers_its_value(  # noqa: ANN201
        app, client: FlaskClient, auth, shipped):  # noqa: ANN001
    instance_id = _case_in_error(app)
    api = auth.headers("admin")  # before the page session: the API refuses a request that carries its cookie
    sign_in(client, "admin")
    again = _resume(client, instance_id, '{"parts": 3, "target_agency": "wz_msa"}')  # no such agency
    page = client.get(again.location).get_data(as_text=True)
    banner = page.split('data-testid="error-reason">')[1].split("</p>")[0]
    assert banner == "泳道 承办局：字段“承办局代码”指向的机构“wz_msa”不存在或已停用。"  # the form's title, not the key
    # The admin corrects the field by its key: the form starts with it and its value.
    assert '{&#34;target_agency&#34;: &#34;wz_msa&#34;}</textarea>' in page
    client.get("/language/en")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert page.split('data-testid="error-reason">')[1].split("</p>")[0] == (
        "Lane 承办局: field &#39;承办局代码&#39; names unknown or inactive agency &#39;wz_msa&#39;.")
    # The API's English keeps the key; the title travels as a value of its own.
    body = client.get(f"/api/v1/process-instances/{instance_id}", headers=api).get_json()
    assert body["error_code"] == "lane_agency_unknown"
    assert (body["error_params"]["field"], body["error_params"]["field_title"]) == ("target_agency", "承办局代码")
    assert "field 'target_agency' names unknown or inactive agency 'wz_msa'" in body["error_reason"]


def test_the_dashboard_lists_the_stopped_case_with_its_reason(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    sign_in(client, "jd_supervisor")
    card = client.get("/dashboard").get_data(as_text=True).split('data-testid="stopped-cases"')[1]
    assert f'href="/instances/{instance_id}"' in card
    assert "“script_share”处的步骤执行失败：WorkflowTaskException: ZeroDivisionError" in card


def test_a_reason_stored_before_messages_were_data_is_shown_as_it_is(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        instance.error_reason, instance.error_message = "an old reason, as the engine wrote it", None
        db.session.commit()
    sign_in(client, "admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "an old reason, as the engine wrote it" in page


def test_the_api_gives_the_stop_reason_as_code_params_and_english(app, client: FlaskClient, auth, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    body = client.get(f"/api/v1/process-instances/{instance_id}", headers=auth.headers("admin")).get_json()
    assert body["error_code"] == "step_failed" and body["error_params"]["element"] == "script_share"
    assert body["error_reason"].startswith("at 'script_share': WorkflowTaskException: ")


def _broken_inspection() -> tuple[bytes, dict[str, bytes]]:
    """The inspection diagram with a user task taken out of its lane and a form left out."""
    xml = (DATA / "inspection" / "inspection.bpmn").read_text(encoding="utf-8")
    xml = xml.replace("<bpmn:flowNodeRef>task_acknowledge</bpmn:flowNodeRef>", "")
    return xml.encode(), {"request.json": (DATA / "inspection" / "request.json").read_bytes()}


def _upload_page(client: FlaskClient) -> str:
    """POST the broken diagram to the upload page; the page it answers with."""
    xml, forms = _broken_inspection()
    data = {"csrf_token": csrf_token(client, "/admin/processes/upload"), "diagram": (io.BytesIO(xml), "broken.bpmn"),
            "forms": [(io.BytesIO(raw), name) for name, raw in forms.items()]}
    response = client.post("/admin/processes/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_the_upload_page_names_tasks_by_their_names_in_chinese_then_english(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    page = _upload_page(client)
    assert "该流程图无法部署。" in page
    row = page[page.index('data-element="task_acknowledge"'):].split("</tr>")[0]
    assert "<td>确认检查结果</td>" in row and "用户任务“确认检查结果”不在任何泳道中。" in row
    assert "表单“result.json”未随流程图一并上传。" in page and "泳道“请求方海关”：机构类型“customs”不存在。" in page
    assert "is not in a lane" not in page and "was not uploaded" not in page
    client.get("/language/en")
    page = _upload_page(client)
    assert "The diagram cannot be deployed." in page and "User task &#39;确认检查结果&#39; is not in a lane." in page
    assert "Form &#39;result.json&#39; was not uploaded with the diagram." in page and "不在任何泳道中" not in page


def _validate(client: FlaskClient, xml: bytes, forms: dict[str, bytes]) -> dict:
    """POST a diagram to the modeler's validation endpoint; its JSON answer."""
    response = client.post("/admin/processes/validate", headers={"X-CSRFToken": csrf_token(client, "/admin/modeler")},
                           json={"xml": xml.decode(), "forms": {k: v.decode() for k, v in forms.items()}})
    assert response.status_code == 422
    return response.get_json()


def test_the_modeler_gets_each_problem_with_the_element_name_in_the_page_language(client: FlaskClient,  # noqa: ANN001
                                                                                  demo) -> None:
    sign_in(client, "admin")
    body = _validate(client, *_broken_inspection())
    assert body["message"] == "该流程图无法部署。"
    problems = {(e["element"], e["name"], e["where"], e["message"]) for e in body["errors"]}
    assert ("task_acknowledge", "确认检查结果", "确认检查结果", "用户任务“确认检查结果”不在任何泳道中。") in problems
    evil = _validate(client, (DATA / "evil" / "import_os.bpmn").read_bytes(), {})
    assert ("script_evil", "脚本未通过检查：第 1 行：不允许导入模块（import）") in \
        [(e["element"], e["message"]) for e in evil["errors"]]
    client.get("/language/en")
    evil = _validate(client, (DATA / "evil" / "import_os.bpmn").read_bytes(), {})
    assert ("script_evil", "Script not allowed: Line 1: imports are not allowed") in \
        [(e["element"], e["message"]) for e in evil["errors"]]


def test_the_api_gives_diagram_problems_with_code_params_and_english(client: FlaskClient, auth) -> None:  # noqa: ANN001
    xml, forms = _broken_inspection()
    files = {"diagram": (io.BytesIO(xml), "broken.bpmn"), "forms": [(io.BytesIO(r), n) for n, r in forms.items()]}
    response = client.post("/api/v1/process-definitions", data=files, headers=auth.headers("admin"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["params"], body["message"]) == ("diagram_invalid", {}, "the diagram cannot be deployed")
    assert {"element": "task_acknowledge", "name": "确认检查结果", "code": "task_without_lane",
            "params": {"task": "确认检查结果"},
            "message": "user task '确认检查结果' is not in a lane"} in body["errors"]


def test_a_refusal_reads_in_the_page_language_and_the_api_gives_its_code(client: FlaskClient, auth,  # noqa: ANN001
                                                                       shipped) -> None:
    liaison = auth.headers("jd_msa_liaison")
    start_case(client, liaison)
    item = open_item(client, liaison, "task_register")
    path = f"/api/v1/work-items/{item['id']}/complete"
    client.post(f"/api/v1/work-items/{item['id']}/claim", headers=liaison)
    assert client.post(path, headers=liaison, json={"data": REGISTER}).status_code == 200
    again = client.post(path, headers=liaison, json={"data": REGISTER}).get_json()
    assert (again["status"], again["code"], again["params"], again["message"]) == (
        409, "work_item_status", {"id": item["id"], "status": "completed"}, f"work item {item['id']} is completed")
    sign_in(client, "jd_msa_liaison")
    page_path = f"/work-items/{item['id']}"
    refused = client.post(f"{page_path}/claim", data={"csrf_token": csrf_token(client, page_path)},
                          follow_redirects=True)
    assert f"工作项 {item['id']} 当前为“已办结”状态。" in refused.get_data(as_text=True)
    client.get("/language/en")
    refused = client.post(f"{page_path}/claim", data={"csrf_token": csrf_token(client, page_path)},
                          follow_redirects=True)
    assert f"Work item {item['id']} is completed." in refused.get_data(as_text=True)


def _notify(app: Flask, title) -> None:  # noqa: ANN001
    """Send the MSA liaison one notice with the given title (a message, or a diagram's text)."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
        send(db.session, kind="task_arrived", agency=db.session.get(Agency, user.agency_id), user=user, title=title)
        db.session.commit()


def test_notice_titles_are_built_in_the_readers_language(app, client: FlaskClient, auth, demo) -> None:  # noqa: ANN001
    _notify(app, message("notice_task_arrived", task="立案审查决定", case="JD-2026-101"))
    _notify(app, "收到JD-调-1的申请")  # a diagram's own text: as written
    token = auth.headers("jd_msa_liaison")  # before the page session: the API takes the token alone
    sign_in(client, "jd_msa_liaison")
    page = client.get("/notices").get_data(as_text=True)
    assert "<strong>新任务：立案审查决定（JD-2026-101）</strong>" in page
    assert "<strong>收到JD-调-1的申请</strong>" in page
    client.get("/language/en")
    page = client.get("/notices").get_data(as_text=True)
    assert "<strong>New task: 立案审查决定 (JD-2026-101)</strong>" in page and "新任务" not in page
    listed = app.test_client().get("/api/v1/notices", headers=token).get_json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    coded = [n for n in rows if n["title_code"]]
    assert [(n["title_code"], n["title_params"], n["title"]) for n in coded] == [
        ("notice_task_arrived", {"task": "立案审查决定", "case": "JD-2026-101"},
         "New task: 立案审查决定 (JD-2026-101)")]


def test_a_script_stopped_by_its_limits_says_why_in_the_page_language(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    # The limit is raised in the script process and crosses its pipe as a code and values.
    with app.app_context():
        deploy(db.session, diagram("script", "y = 'x' * 10**10"), {}, None)
        starter = db.session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
        instance = start_instance(db.session, starter, "hostile")
        db.session.commit()
        assert instance.status == "error" and instance.error_message["code"] == "script_stopped"
        instance_id = instance.id
    sign_in(client, "admin")
    banner = client.get(f"/instances/{instance_id}").get_data(as_text=True).split('data-testid="error-reason">')[1]
    assert banner.startswith("“script_hostile”处：重复 的结果将有 10,000,000,000 个元素，上限为 10,000,000 个")
    client.get("/language/en")
    banner = client.get(f"/instances/{instance_id}").get_data(as_text=True).split('data-testid="error-reason">')[1]
    assert banner.startswith("At &#39;script_hostile&#39;: repetition would have 10,000,000,000 elements; the limit is "
                             "10,000,000</p>")
