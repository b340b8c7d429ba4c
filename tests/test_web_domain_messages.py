"""Every reason a service raises reaches the pages in Chinese; an unknown one is shown as it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask

from app.web.domain_messages import localize
from tests.test_web_pages import sign_in

ROOT = Path(__file__).resolve().parent.parent
ERRORS = {"ConflictError", "PermissionDeniedError", "InvalidDataError", "NotFoundError", "WrongPasswordError"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _text(node: ast.expr) -> str | None:
    """A raised message with every interpolated value as `1` (a digit fits every rule's slot)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "1" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _text(node.left)
        right = _text(node.right.body) if isinstance(node.right, ast.IfExp) else _text(node.right)
        return None if left is None or right is None else left + right
    return None


def raised_messages(errors: set[str]) -> list[str]:
    """The literal messages of the named exceptions raised in workflows/, as the pages would receive them."""
    found = []
    for path in sorted((ROOT / "workflows").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args \
                    and getattr(node.exc.func, "id", None) in errors:
                text = _text(node.exc.args[0])
                if text is not None:
                    found.append(text)
                    if isinstance(node.exc.args[0], ast.BinOp):  # the message without its optional tail
                        found.append(_text(node.exc.args[0].left))
    return found


MESSAGES = raised_messages(ERRORS)


def test_the_scan_finds_the_services_messages() -> None:
    assert len(MESSAGES) > 30
    assert "this work item belongs to another agency" in MESSAGES


@pytest.mark.parametrize("message", MESSAGES)
def test_each_service_message_is_translated(app: Flask, message: str) -> None:
    with app.test_request_context("/"):
        shown = localize(message)
    assert shown != message and HAN.search(shown), f"no Chinese for: {message}"


def test_values_are_kept_and_unknown_messages_pass_through(app: Flask) -> None:
    with app.test_request_context("/"):
        assert localize("work item 7 is claimed by 王敏") == "工作项 7 已被王敏认领。"
        assert localize("something new went wrong") == "something new went wrong"
    with app.test_request_context("/?lang=en"):
        assert localize("this work item needs the role 'leader'") == "This work item needs the role 'Leader'."


def test_a_refused_claim_is_explained_in_chinese(client, shipped) -> None:  # noqa: ANN001
    from tests.test_web_pages import post, start_case
    sign_in(client, "jd_msa_liaison")
    item_id = start_case(client, "JD-MSG-1")
    post(client, f"/work-items/{item_id}/claim")
    client.get("/logout")
    sign_in(client, "jd_msa_leader")
    refused = post(client, f"/work-items/{item_id}/claim")
    assert refused.status_code == 302
    page = client.get(refused.location).get_data(as_text=True)
    assert f"工作项 {item_id} 已被" in page and "认领" in page and "is claimed" not in page
