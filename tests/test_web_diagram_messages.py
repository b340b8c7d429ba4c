"""Every message the deployment validator produces reaches the upload page and the modeler in Chinese."""

from __future__ import annotations

import ast
import io
import itertools
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.diagram_messages import localize
from tests.conftest import DATA, ROOT
from tests.test_web_domain_messages import HAN
from tests.test_web_pages import csrf_token, sign_in

WORKFLOWS = ROOT / "workflows"
# Three English words in a row: a sentence left untranslated (kept values are single words or quoted).
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")
SLOT = "1"  # every interpolated value; it fits every rule's slot


def _texts(node: ast.expr, names: dict[str, ast.expr]) -> list[str]:
    """The texts an expression can build: local string variables expanded, other values as SLOT."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _texts(node.body, names) + _texts(node.orelse, names)
    if isinstance(node, ast.Name) and node.id in names:
        return _texts(names[node.id], names) or [SLOT]
    if isinstance(node, ast.JoinedStr):
        parts = [_texts(v.value, names) or [SLOT] if isinstance(v, ast.FormattedValue) else [v.value]
                 for v in node.values]
        return ["".join(choice) for choice in itertools.product(*parts)]
    return []


def _assigned(nodes: list[ast.stmt] | ast.AST) -> dict[str, ast.expr]:
    """Variables assigned by name (`where = f"..." if ... else f"..."`, `_HINT = "..."`)."""
    found = nodes if isinstance(nodes, list) else list(ast.walk(nodes))
    return {node.targets[0].id: node.value for node in found
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)}


def _calls(path: Path, names: set[str], argument: int) -> list[str]:
    """The message argument of every call of the named functions or errors in a module."""
    found = []
    module = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(module):
        if not isinstance(function, ast.FunctionDef):
            continue
        local = {**_assigned(module.body), **_assigned(function)}
        for node in ast.walk(function):
            callee = getattr(node, "func", None)
            name = getattr(callee, "id", None) or getattr(callee, "attr", None)
            if isinstance(node, ast.Call) and name in names and len(node.args) > argument:
                found += _texts(node.args[argument], local)
    return found


def _code_problems() -> list[str]:
    """Why scripting.check_script/check_expression refuse code: the policy's errors and the compile failures."""
    path = WORKFLOWS / "scripting" / "policy.py"
    problems = [f"Line {SLOT}: {text}" for text in _calls(path, {"error"}, 1)]  # RestrictingNodeTransformer.error
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(function, ast.FunctionDef) and function.name in ("_compile", "_check"):
            problems += [text for node in ast.walk(function) if isinstance(node, ast.Return) and node.value
                         for item in ast.walk(node.value) if isinstance(item, ast.Tuple | ast.List)
                         for element in item.elts for text in _texts(element, {})]
    return problems


def _validator_messages() -> list[str]:
    """Every message validate_diagram can put in DiagramInvalidError (its summary and each error)."""
    deployment = WORKFLOWS / "deployment" / "deploy.py"
    found = _calls(deployment, {"_error"}, 1) + _calls(deployment, {"DiagramInvalidError"}, 0)
    found += _calls(WORKFLOWS / "engine" / "diagram.py", {"_error"}, 1)
    found += _calls(WORKFLOWS / "deployment" / "form_use.py", {"_error", "_warning"}, 1)  # and its warnings
    found += _calls(WORKFLOWS / "engine" / "xml.py", {"UnsafeXmlError"}, 0)  # `_error(None, str(err))`
    # A deadline's `str(err)`, and `f"{prop}: {err}"`.
    found += _calls(WORKFLOWS / "deadlines" / "periods.py", {"PeriodError"}, 0)
    found += [f"{kind} not allowed: {problem}" for kind in ("script", "expression") for problem in _code_problems()]
    return list(dict.fromkeys(found))


MESSAGES = _validator_messages()


def test_the_scan_finds_the_validators_messages() -> None:
    assert len(MESSAGES) > 50
    assert "user task '1' is not in a lane" in MESSAGES
    assert "pool 1 shows process 1, which has no isExecutable attribute; set isExecutable=\"true\" on the " \
           "process to deploy" in MESSAGES
    assert "script not allowed: Line 1: imports are not allowed" in MESSAGES
    assert "not well-formed XML: 1" in MESSAGES


@pytest.mark.parametrize("message", MESSAGES)
def test_each_validator_message_is_translated(app: Flask, message: str) -> None:
    with app.test_request_context("/"):
        shown = localize(message)
    assert shown != message and HAN.search(shown), f"no Chinese for: {message}"
    assert not ENGLISH.search(shown), f"English left in: {shown}"


def test_values_and_library_text_are_kept(app: Flask) -> None:
    with app.test_request_context("/"):
        assert localize("lane '请求方海关': unknown agency type 'customs'") \
            == "泳道“请求方海关”：机构类型“customs”不存在。"
        assert localize("form file larger than 262144 bytes") == "表单文件超过 262144 字节的上限。"
        assert localize("not well-formed XML: no element found: line 1, column 12") \
            == "XML 格式不正确：no element found: line 1, column 12"
        assert localize("extension: deadline '0 days' must be at least 1; use 'N days', 'N working days', "
                        "'N hours' or 'N months'") == \
            "属性 extension：期限 '0 days' 至少应为 1；请写作“N日”、“N个工作日”、“N小时”或“N个月”。"
        assert localize("expression not allowed: Line 1: SyntaxError: invalid syntax at statement: 'x ='") \
            == "表达式未通过检查：第 1 行：SyntaxError: invalid syntax at statement: 'x ='"
        assert localize("the engine cannot parse the diagram: two items\nwith one id") \
            == "流程引擎无法解析该流程图：two items\nwith one id"
        assert localize("something new went wrong") == "something new went wrong"
    with app.test_request_context("/?lang=en"):
        assert localize("user task 'Ack' is not in a lane") == "User task 'Ack' is not in a lane."


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


def _validate(client: FlaskClient, xml: bytes, forms: dict[str, bytes]) -> dict:
    """POST a diagram to the modeler's validation endpoint; its JSON answer."""
    response = client.post("/admin/processes/validate", headers={"X-CSRFToken": csrf_token(client, "/admin/modeler")},
                           json={"xml": xml.decode(), "forms": {k: v.decode() for k, v in forms.items()}})
    assert response.status_code == 422
    return response.get_json()


def test_the_upload_page_explains_in_chinese_then_english(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    page = _upload_page(client)
    assert "该流程图无法部署。" in page
    assert 'data-element="task_acknowledge"' in page and "用户任务“确认检查结果”不在任何泳道中。" in page
    assert "表单“result.json”未随流程图一并上传。" in page and "泳道“请求方海关”：机构类型“customs”不存在。" in page
    assert "is not in a lane" not in page and "was not uploaded" not in page
    client.get("/language/en")
    page = _upload_page(client)
    assert "The diagram cannot be deployed." in page and "is not in a lane." in page
    assert "Form &#39;result.json&#39; was not uploaded with the diagram." in page and "不在任何泳道中" not in page


def test_the_modeler_marks_elements_with_chinese_problems(client: FlaskClient, demo) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    body = _validate(client, *_broken_inspection())
    assert body["message"] == "该流程图无法部署。"
    problems = {(e["element"], e["message"]) for e in body["errors"]}
    assert ("task_acknowledge", "用户任务“确认检查结果”不在任何泳道中。") in problems
    assert ("task_urgent", "表单“result.json”未随流程图一并上传。") in problems
    evil = _validate(client, (DATA / "evil" / "import_os.bpmn").read_bytes(), {})
    assert {"element": "script_evil", "message": "脚本未通过检查：第 1 行：不允许导入模块（import）"} in evil["errors"]
    client.get("/language/en")
    evil = _validate(client, (DATA / "evil" / "import_os.bpmn").read_bytes(), {})
    assert {"element": "script_evil", "message": "Script not allowed: line 1: imports are not allowed"} \
        in evil["errors"]


def test_the_api_keeps_the_validators_english(client: FlaskClient, auth) -> None:  # noqa: ANN001
    xml, forms = _broken_inspection()
    files = {"diagram": (io.BytesIO(xml), "broken.bpmn"), "forms": [(io.BytesIO(r), n) for n, r in forms.items()]}
    response = client.post("/api/v1/process-definitions", data=files, headers=auth.headers("admin"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_json()
    assert {"element": "task_acknowledge", "message": "user task '确认检查结果' is not in a lane"} in body["errors"]
    assert {"element": "task_urgent", "message": "form 'result.json' was not uploaded with the diagram"} \
        in body["errors"]
