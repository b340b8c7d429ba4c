"""The admin draws a two-lane process in the modeler, sets its properties, deploys it; a liaison completes it."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import sign_in

FORM = {"type": "object", "title": "检查记录", "required": ["finding"],
        "properties": {"finding": {"title": "检查发现", "type": "string", "minLength": 1}}}

# Drawn through the modeler's own API (palette drags are the library's concern; the panel is ours).
DRAW = """() => {
  const m = window.xietongModeler;
  const modeling = m.get('modeling'), factory = m.get('elementFactory'), canvas = m.get('canvas');
  const registry = m.get('elementRegistry');
  const participant = modeling.createShape(factory.createParticipantShape({ type: 'bpmn:Participant' }),
                                           { x: 400, y: 200 }, canvas.getRootElement());
  modeling.splitLane(participant, 2);
  const [top, bottom] = registry.filter(e => e.type === 'bpmn:Lane').sort((a, b) => a.y - b.y);
  const s = registry.filter(e => e.type === 'bpmn:StartEvent')[0];
  const task1 = modeling.appendShape(s, { type: 'bpmn:UserTask' }, { x: s.x + 200, y: s.y + 18 }, participant);
  const task2 = modeling.createShape({ type: 'bpmn:UserTask' }, { x: task1.x + 300, y: bottom.y + bottom.height / 2 },
                                     participant);
  modeling.connect(task1, task2);
  modeling.appendShape(task2, { type: 'bpmn:EndEvent' }, { x: task2.x + 250, y: task2.y + 40 }, participant);
  return { top: top.id, bottom: bottom.id, task1: task1.id, task2: task2.id, participant: participant.id };
}"""


def _select(page: Any, element_id: str) -> None:
    """Click an element on the canvas, as the admin would, to show it in the panel (pools and lanes by their header)."""
    box = page.locator(f"[data-element-id='{element_id}'] .djs-hit").first.bounding_box()
    if element_id.startswith(("Participant", "Lane")):
        page.mouse.click(box["x"] + 12, box["y"] + box["height"] / 2)
    else:
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(f"[data-testid=properties-panel][data-element='{element_id}'] [data-prop]")


def _set(page: Any, prop: str, value: str) -> None:
    """Type a value into a panel field (select boxes are chosen)."""
    locator = page.locator(f"[data-testid=properties-panel] [data-prop={prop}]")
    if locator.evaluate("el => el.tagName") == "SELECT":
        locator.select_option(value)
    else:
        locator.fill(value)
        locator.dispatch_event("change")


def test_admin_draws_deploys_and_liaison_completes(new_page) -> None:  # noqa: ANN001
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/modeler")
    admin.wait_for_selector("[data-testid=modeler-canvas][data-rendered=true]")
    ids = admin.evaluate(DRAW)

    _select(admin, ids["participant"])
    _set(admin, "processKey", "joint_inspection")
    _set(admin, "processName", "联合检查")
    _select(admin, ids["top"])
    _set(admin, "name", "市场监管")
    _set(admin, "agencyType", "market_supervision")
    admin.click("#validate")  # the lower lane has no agency type yet, nor the tasks their names
    admin.wait_for_selector(f"[data-testid=problems] li[data-element='{ids['bottom']}']")
    assert admin.locator(f"[data-element-id='{ids['bottom']}'].has-error").count() == 1

    _select(admin, ids["bottom"])
    _set(admin, "name", "公安")
    _set(admin, "agencyType", "police")
    _select(admin, ids["task1"])
    _set(admin, "name", "现场检查")
    _set(admin, "form", "inspect.json")
    _set(admin, "deadline", "3 days")
    _select(admin, ids["task2"])
    _set(admin, "name", "公安审查")
    admin.click("[data-tab=forms]")
    admin.fill("#new-form-name", "inspect.json")
    admin.click("#add-form")
    admin.locator("[data-form='inspect.json'] textarea").fill(json.dumps(FORM, ensure_ascii=False))
    admin.click("#deploy")
    admin.wait_for_selector("[data-testid=modeler-status].success")
    assert "joint_inspection v1" in admin.locator("[data-testid=modeler-status]").inner_text()

    liaison = new_page()
    sign_in(liaison, "jd_msa_liaison")
    liaison.goto("/instances/new?process=joint_inspection")
    liaison.fill("#business_key", "JD-JI-001")
    liaison.click("button[type=submit].primary")
    liaison.get_by_role("button", name="认领").click()
    liaison.fill("#f-finding", "发现假冒商品")
    liaison.get_by_role("button", name="提交").click()
    liaison.wait_for_selector("[data-testid=queue]")

    police = new_page()
    sign_in(police, "jd_police_liaison")
    assert police.locator("tr", has_text="JD-JI-001").filter(has_text="公安审查").count() == 1
    police.locator("tr", has_text="JD-JI-001").get_by_role("link", name="JD-JI-001").click()
    police.wait_for_selector("[data-testid=diagram][data-rendered=true]")
    assert police.locator(f"[data-element-id='{ids['task2']}'].state-active").count() == 1
    assert police.locator(f"[data-element-id='{ids['task1']}'].state-completed").count() == 1
