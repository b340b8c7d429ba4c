"""The admin draws a two-lane process with the mouse, sets its properties, deploys it; a liaison completes it.

Every shape is drawn as an admin draws it: dragged from the bpmn-js palette, or appended and connected
through the context pad of a selected element (bpmn-js's own selectors: `.djs-palette .entry[data-action]`,
`.djs-context-pad .entry[data-action]`, `.djs-popup .entry[data-id]`). Properties are set in the
bpmn-js properties panel (entries `[data-entry-id]`, inputs `#bio-properties-panel-<entry>`): agency
types, roles, forms and lanes are chosen from lists, never typed as ids.
"""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import sign_in

FORM = {"type": "object", "title": "检查记录", "required": ["finding"],
        "properties": {"finding": {"title": "检查发现", "type": "string", "minLength": 1}}}
START_FORM = {"type": "object", "title": "检查申请", "required": ["site"],
              "properties": {"site": {"title": "检查地点", "type": "string", "minLength": 1}}}
PANEL = "[data-testid=properties-panel]"
CLICK_TRAP_MS = 450  # bpmn-js ignores the first click on the canvas for 400 ms after a drag ends


def _box(page: Any, element_id: str) -> dict[str, float]:
    """Where an element lies on the screen."""
    return page.locator(f"[data-element-id='{element_id}'] > .djs-visual").bounding_box()


def _selected(page: Any) -> str:
    """The id of the element the panel shows (the one just drawn: bpmn-js selects it)."""
    return page.locator(PANEL).get_attribute("data-element")


def _drag(page: Any, handle: Any, x: float, y: float) -> None:
    """Press the mouse on a palette or context-pad entry, move it to (x, y) and let go."""
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(x - 40, y - 20, steps=8)
    page.mouse.move(x, y, steps=8)
    page.mouse.up()
    _leave_label(page)
    page.wait_for_timeout(CLICK_TRAP_MS)


def _drag_from_palette(page: Any, action: str, x: float, y: float) -> str:
    """Drag a palette entry onto the canvas at (x, y) and drop it; the new element's id."""
    before = _selected(page)
    _drag(page, page.locator(f".djs-palette .entry[data-action='{action}']"), x, y)
    page.wait_for_function(f"document.querySelector('{PANEL}').dataset.element !== {json.dumps(before)}")
    return _selected(page)


def _connect(page: Any, source: str, target: str) -> None:
    """Drag the source's context-pad arrow onto the target: a sequence flow."""
    _select(page, source)
    box = _box(page, target)
    _drag(page, page.locator(".djs-context-pad .entry[data-action='connect']"),
          box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(f"{PANEL}[data-element^='Flow_']")


def _leave_label(page: Any) -> None:
    """Leave the label editor bpmn-js opens on a new pool or task (names are set in the panel)."""
    if page.locator(".djs-direct-editing-parent").is_visible():
        page.keyboard.press("Escape")


def _pad(page: Any, action: str) -> None:
    """Click an entry of the selected element's context pad."""
    page.locator(f".djs-context-pad .entry[data-action='{action}']").click()
    _leave_label(page)


def _select(page: Any, element_id: str) -> None:
    """Click an element on the canvas, as the admin would, to show it in the panel.

    Pools and lanes are clicked on their header, shapes near their top edge (the middle may lie under
    the context pad of the element selected before). A click on the selected element would unselect it.
    """
    if _selected(page) != element_id:
        box = _box(page, element_id)
        if element_id.startswith(("Participant", "Lane")):
            page.mouse.click(box["x"] + 12, box["y"] + box["height"] / 2)
        else:
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + min(15, box["height"] / 2))
    page.wait_for_selector(f"{PANEL}[data-element='{element_id}'] [data-entry-id]")


def _to_user_task(page: Any, element_id: str) -> str:
    """Change the selected task into a user task through the context pad's replace menu; the new id."""
    _select(page, element_id)
    _pad(page, "replace")
    page.locator(".djs-popup .entry[data-id='replace-with-user-task']").click()
    page.wait_for_selector(f"{PANEL} .bio-properties-panel-header-type:text-is('用户任务')")
    return _selected(page)


def _changes(page: Any) -> int:
    """How many times the diagram changed (the page counts bpmn-js's commandStack.changed)."""
    return int(page.locator("[data-testid=modeler-canvas]").get_attribute("data-changes") or 0)


def _changed_since(page: Any, before: int) -> None:
    """Wait until the diagram changed after the count `before`."""
    page.wait_for_function("n => Number(document.querySelector('[data-testid=modeler-canvas]').dataset.changes) > n",
                           arg=before)


def _field(page: Any, entry: str) -> Any:
    """The input of a properties-panel entry."""
    return page.locator(f"{PANEL} #bio-properties-panel-{entry}")


def _set(page: Any, entry: str, value: str) -> None:
    """Type a value into a panel entry, or choose it where the entry is a list; wait until the diagram has it."""
    before = _changes(page)
    locator = _field(page, entry)
    if locator.evaluate("el => el.tagName") == "SELECT":
        locator.select_option(value)
    else:
        locator.fill(value)  # the panel writes it after its input debounce
    _changed_since(page, before)


def _tick(page: Any, entry: str) -> None:
    """Tick a checkbox entry of the panel."""
    before = _changes(page)
    _field(page, entry).check()
    _changed_since(page, before)


def _options(page: Any, entry: str) -> dict[str, str]:
    """The choices of a list entry: value → the text shown."""
    return dict(_field(page, entry).locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent])"))


def _add_form(page: Any, name: str, schema: dict[str, Any]) -> None:
    """Add a form in the Forms tab and write its JSON Schema."""
    page.click("[data-tab=forms]")
    page.fill("#new-form-name", name)
    page.click("#add-form")
    page.locator(f"[data-form='{name}'] textarea").fill(json.dumps(schema, ensure_ascii=False))
    page.click("[data-tab=properties]")


def _draw(page: Any) -> dict[str, str]:
    """Draw pool, two lanes, start event, two user tasks, end event and their flows; the elements' ids."""
    _select(page, "start")  # the blank diagram's start event: the admin removes it and draws a pool
    _pad(page, "delete")
    canvas = page.locator("[data-testid=modeler-canvas]").bounding_box()
    pool = _drag_from_palette(page, "create.participant-expanded",
                              canvas["x"] + 420, canvas["y"] + canvas["height"] / 2)
    _pad(page, "lane-divide-two")
    lane_ids = page.locator("[data-element-id^='Lane_']").evaluate_all("els => els.map(e => e.dataset.elementId)")
    top, bottom = sorted(lane_ids, key=lambda lane: _box(page, lane)["y"])
    lanes = {"top": top, "bottom": bottom}
    top_box, bottom_box = _box(page, lanes["top"]), _box(page, lanes["bottom"])
    start = _drag_from_palette(page, "create.start-event", top_box["x"] + 70, top_box["y"] + top_box["height"] / 2)
    _pad(page, "append.append-task")
    task1 = _to_user_task(page, _selected(page))
    second = _drag_from_palette(page, "create.task", top_box["x"] + 400, bottom_box["y"] + bottom_box["height"] / 2)
    task2 = _to_user_task(page, second)
    _connect(page, task1, task2)
    _select(page, task2)
    _pad(page, "append.end-event")
    return {"participant": pool, **lanes, "start": start, "task1": task1, "task2": task2, "end": _selected(page)}


def test_admin_draws_deploys_and_liaison_completes(new_page) -> None:  # noqa: ANN001
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/admin/modeler")
    admin.wait_for_selector("[data-testid=modeler-canvas][data-rendered=true]")
    ids = _draw(admin)
    assert admin.locator(".djs-connection[data-element-id^='Flow_']").count() == 3  # start→task1→task2→end

    _select(admin, ids["participant"])
    _set(admin, "processId", "joint_inspection")
    _set(admin, "processName", "联合检查")
    _select(admin, ids["top"])
    _set(admin, "name", "市场监管")
    types = _options(admin, "agencyType")
    assert types["police"] == "公安机关" and "market_supervision" in types  # chosen by the directory's names
    _set(admin, "agencyType", "market_supervision")
    _select(admin, ids["task1"])
    assert "1个月" in admin.locator(f"{PANEL} [data-entry-id=deadline]").inner_text()  # the hint under the field
    _set(admin, "deadline", "1 mnth")
    admin.click("#validate")  # the lower lane has no agency type yet, nor the tasks their names; a month misspelt
    admin.wait_for_selector(f"[data-testid=problems] li[data-element='{ids['bottom']}']")
    assert admin.locator(f"[data-element-id='{ids['bottom']}'].has-error").count() == 1
    shown = admin.locator(f"[data-testid=problems] li[data-element='{ids['task1']}']").all_inner_texts()
    assert any("无法识别期限 '1 mnth'；请写作“N日”、“N个工作日”、“N小时”或“N个月”。" in text for text in shown)

    _select(admin, ids["bottom"])
    _set(admin, "name", "公安")
    _set(admin, "agencyType", "police")
    _add_form(admin, "inspect.json", FORM)
    _add_form(admin, "apply.json", START_FORM)
    _select(admin, ids["start"])
    _set(admin, "form", "apply.json")  # the start event's form, chosen from the process's forms
    _select(admin, ids["task1"])
    _set(admin, "name", "现场检查")
    assert set(_options(admin, "form")) == {"", "inspect.json", "apply.json"}
    _set(admin, "form", "inspect.json")
    _set(admin, "deadline", "1 month")
    _tick(admin, f"copyTo-{ids['bottom']}")  # lanes are listed by name: 抄送 to 公安
    assert admin.locator(f"{PANEL} [data-entry-id='copyTo-{ids['bottom']}']").inner_text().strip() == "公安"
    assert _options(admin, f"escalateTo-{ids['bottom']}")["leader"] == "负责人"
    _set(admin, f"escalateTo-{ids['bottom']}", "leader")
    _select(admin, ids["task2"])
    _set(admin, "name", "公安审查")
    _set(admin, "role", "leader")
    admin.click("#deploy")
    admin.wait_for_selector("[data-testid=modeler-status].success")
    assert "joint_inspection v1" in admin.locator("[data-testid=modeler-status]").inner_text()
    deployed = admin.request.get("/admin/processes/joint_inspection/diagram.bpmn").text()
    for name, value in (("form", "apply.json"), ("form", "inspect.json"), ("copyTo", ids["bottom"]),
                        ("escalateTo", f"{ids['bottom']}:leader"), ("role", "leader"), ("agencyType", "police")):
        assert f'name="{name}" value="{value}"' in deployed, (name, value)
    start_link = admin.locator("[data-testid=modeler-status] [data-testid=start-link]")
    assert start_link.inner_text() == "发起此流程的案件"
    start_url = start_link.get_attribute("href")

    liaison = new_page()
    sign_in(liaison, "jd_msa_liaison")
    liaison.goto(start_url)  # the link the admin was given: the new-case page of this process, its start form
    liaison.fill("#business_key", "JD-JI-001")
    liaison.fill("#f-site", "嘉定区某商场")
    liaison.click("button[type=submit].primary")
    liaison.wait_for_selector("[data-testid=task-form]")  # the starter's first task opens claimed
    liaison.fill("#f-finding", "发现假冒商品")
    liaison.get_by_role("button", name="提交").click()
    liaison.wait_for_selector("[data-testid=queue]")

    police = new_page()
    sign_in(police, "jd_police_leader")  # the second task asks for a leader
    assert police.locator("tr", has_text="JD-JI-001").filter(has_text="公安审查").count() == 1
    police.locator("tr", has_text="JD-JI-001").get_by_role("link", name="JD-JI-001").click()
    police.wait_for_selector("[data-testid=diagram][data-rendered=true]")
    assert police.locator(f"[data-element-id='{ids['task2']}'].state-active").count() == 1
    assert police.locator(f"[data-element-id='{ids['task1']}'].state-completed").count() == 1
    police.goto("/notices")  # the copy to the police lane (抄送) set in the panel arrived as a notice
    copies = police.locator("ul.notices li", has_text="收到抄送").filter(has_text="现场检查")
    assert copies.count() == 1
