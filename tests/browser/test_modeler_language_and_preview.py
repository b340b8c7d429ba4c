"""The modeler speaks the page's language (bpmn-js's palette, context pad, menus, search and the properties
panel), and each form is previewed beside its JSON Schema as the work-item page renders it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import sign_in

PANEL = "[data-testid=properties-panel]"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _modeler(page: Any, language: str) -> None:
    """The admin's empty modeler, in the language the admin chose."""
    sign_in(page, "admin")
    page.goto(f"/language/{language}")
    page.goto("/admin/modeler")
    page.wait_for_selector("[data-testid=modeler-canvas][data-rendered=true]")


def _texts(page: Any) -> dict[str, list[str]]:
    """What bpmn-js and the properties panel write on the page, by where it is."""
    texts = {"palette": page.locator(".djs-palette .entry").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || e.title)")}
    box = page.locator("[data-element-id=start] > .djs-visual").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(f"{PANEL}[data-element=start] [data-entry-id]")
    texts["context pad"] = page.locator(".djs-context-pad .entry").evaluate_all("els => els.map(e => e.title)")
    texts["panel"] = page.locator(
        f"{PANEL} .bio-properties-panel-header-type, {PANEL} .bio-properties-panel-group-header-title, "
        f"{PANEL} .bio-properties-panel-label").evaluate_all("els => els.map(e => e.textContent)")
    page.locator(".djs-context-pad .entry[data-action=replace]").click()
    page.wait_for_selector(".djs-popup .entry")
    texts["replace menu"] = [page.locator(".djs-popup-search input").get_attribute("aria-label"),
                             *page.locator(".djs-popup .entry").all_inner_texts()]
    page.keyboard.type("xyz")  # a search that finds nothing still says so in the page language
    page.wait_for_selector(".djs-popup-search-count")
    texts["menu search"] = page.locator(".djs-popup-search-count").all_inner_texts()
    page.keyboard.press("Escape")
    page.mouse.click(box["x"] + 300, box["y"] + 250)
    page.keyboard.press("Control+f")
    texts["diagram search"] = [page.locator(".djs-search-container input").get_attribute("aria-label")]
    return {where: [t.strip() for t in found if t and t.strip()] for where, found in texts.items()}


def test_the_modeler_is_in_chinese_on_a_chinese_page(new_page) -> None:  # noqa: ANN001
    page = new_page()
    _modeler(page, "zh")
    texts = _texts(page)
    assert len(texts["palette"]) >= 12 and len(texts["context pad"]) >= 6 and len(texts["replace menu"]) >= 6
    for where, found in texts.items():
        assert found, where
        english = [t for t in found if LATIN_WORD.search(t) or not CJK.search(t)]
        assert not english, f"{where} shows English: {english}"
    assert "创建任务" in texts["palette"] and "追加任务" in texts["context pad"]
    assert "开始事件" in texts["panel"] and "常规" in texts["panel"] and "发起表单" in texts["panel"]
    assert "定时开始事件" in texts["replace menu"] and texts["menu search"] == ["找到 0 项"]
    assert texts["diagram search"] == ["在图中搜索"]


def test_the_modeler_stays_english_on_an_english_page(new_page) -> None:  # noqa: ANN001
    page = new_page(locale="en-US")
    _modeler(page, "en")
    texts = _texts(page)
    for where, found in texts.items():
        chinese = [t for t in found if CJK.search(t)]
        assert found and not chinese, f"{where} shows Chinese: {chinese}"
    assert "Create task" in texts["palette"] and "Append task" in texts["context pad"]
    assert "Start Event" in texts["panel"] and "Start form" in texts["panel"]
    assert "Timer start event" in texts["replace menu"] and texts["menu search"] == ["0 results found"]


def _schema_text(page: Any, name: str, schema: dict[str, Any]) -> None:
    """Write a form's JSON Schema into its editor as a person types it."""
    editor = page.locator(f"[data-form='{name}'] textarea")
    editor.fill(json.dumps(schema, ensure_ascii=False, indent=1))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_form_preview_shows_the_fields_of_the_schema_being_edited(new_page, language: str) -> None:  # noqa: ANN001
    page = new_page()
    _modeler(page, language)
    page.click("[data-tab=forms]")
    page.fill("#new-form-name", "inspect")
    page.click("#add-form")
    preview = page.locator("[data-form='inspect.json'] [data-testid=form-preview]")
    schema = {"type": "object", "title": "检查记录", "required": ["finding"], "properties": {
        "finding": {"title": "检查发现", "type": "string"},
        "measure": {"title": "处理措施", "type": "string",
                    "oneOf": [{"const": "seal", "title": "查封"}, {"const": "warn", "title": "警告"}]}}}
    _schema_text(page, "inspect.json", schema)
    preview.locator("#f-finding").wait_for()
    assert preview.locator("label[for=f-finding]").inner_text().startswith("检查发现")
    assert preview.locator("[data-field=finding] .req").count() == 1  # required, marked as on the work-item page
    assert preview.locator("input[type=radio][name=measure]").count() == 2
    assert preview.locator("[data-field=measure]").inner_text().count("查封") == 1
    # the preview follows the edits: a list of rows added, a field removed
    schema["properties"]["items"] = {"title": "涉案物品", "type": "array", "items": {"type": "object", "properties": {
        "name": {"title": "物品名称", "type": "string"}}}}
    del schema["properties"]["measure"]
    _schema_text(page, "inspect.json", schema)
    preview.locator("table.repeat[data-repeat=items]").wait_for()
    assert preview.locator("[data-field=measure]").count() == 0
    preview.locator(".add-row[data-for=items]").click()  # the work-item page's own script adds rows here too
    preview.locator("#f-items-1-name").wait_for()
    page.locator("[data-form='inspect.json'] textarea").fill("{ not json")
    assert page.locator("[data-form='inspect.json'] .bad").inner_text() != ""
    assert preview.locator("#f-items-1-name").count() == 1  # the last good preview stays while the text is broken


# Kinds of element the shipped diagram lacks, added beside it as the palette would.
MORE_KINDS = """() => {
  const modeler = window.xietongModeler, registry = modeler.get('elementRegistry');
  const factory = modeler.get('elementFactory'), modeling = modeler.get('modeling');
  const lane = registry.filter(e => e.type === 'bpmn:Participant')[0];
  const task = registry.get('task_register');
  const add = (attrs, x, y) => modeling.createShape(factory.createShape(attrs), {x, y}, lane);
  const timer = factory.createShape({type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition'});
  modeling.createShape(timer, {x: task.x + task.width, y: task.y + task.height}, task, {attach: true});
  add({type: 'bpmn:IntermediateCatchEvent', eventDefinitionType: 'bpmn:MessageEventDefinition'}, 300, 120);
  add({type: 'bpmn:IntermediateThrowEvent'}, 360, 120);
  add({type: 'bpmn:SubProcess', isExpanded: false}, 440, 120);
  add({type: 'bpmn:ParallelGateway'}, 520, 120);
  add({type: 'bpmn:ManualTask'}, 600, 120);
  add({type: 'bpmn:DataStoreReference'}, 680, 120);
  add({type: 'bpmn:TextAnnotation'}, 760, 120);
}"""

HEADERS_AND_MENUS = """async () => {
  const modeler = window.xietongModeler, registry = modeler.get('elementRegistry');
  const frame = () => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const found = {};
  const kinds = {};
  registry.filter(e => e.type !== 'label').forEach(e => { kinds[e.type] = kinds[e.type] || e; });
  for (const element of Object.values(kinds)) {
    modeler.get('selection').select(element);
    await frame();
    const header = document.querySelector('[data-testid=properties-panel] .bio-properties-panel-header-type');
    const entries = [...document.querySelectorAll('.djs-context-pad .entry')].map(e => e.title);
    const replace = document.querySelector(".djs-context-pad .entry[data-action=replace]");
    let menu = [];
    if (replace) {
      replace.click();
      await frame();
      menu = [...document.querySelectorAll('.djs-popup .entry')].map(e => e.title || e.textContent.trim());
      document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
      modeler.get('popupMenu').close();
    }
    found[element.type] = [header ? header.textContent : '', ...entries, ...menu];
  }
  return found;
}"""


def test_every_element_of_a_shipped_diagram_is_named_in_chinese(new_page) -> None:  # noqa: ANN001
    """The panel's header and the context pad and replace menu of each kind of element in case_transfer."""
    page = new_page()
    sign_in(page, "admin")
    page.goto("/admin/processes/case_transfer/modeler")
    page.wait_for_selector("[data-testid=modeler-canvas][data-rendered=true]")
    page.evaluate(MORE_KINDS)
    found = page.evaluate(HEADERS_AND_MENUS)
    assert {"bpmn:UserTask", "bpmn:ExclusiveGateway", "bpmn:SequenceFlow", "bpmn:Lane", "bpmn:EndEvent",
            "bpmn:BoundaryEvent", "bpmn:IntermediateCatchEvent", "bpmn:SubProcess", "bpmn:DataStoreReference",
            "bpmn:TextAnnotation", "bpmn:ManualTask", "bpmn:ParallelGateway"} <= set(found)
    for kind, texts in found.items():
        english = [t for t in texts if not t.strip() or LATIN_WORD.search(t) or not CJK.search(t)]
        assert not english, f"{kind}: {english}"
    assert found["bpmn:ExclusiveGateway"][0] == "排他网关"
    assert "并行网关" in found["bpmn:ExclusiveGateway"]  # its replace menu
    assert found["bpmn:BoundaryEvent"][0] == "定时边界事件" and "消息边界事件（非中断）" in found["bpmn:BoundaryEvent"]
