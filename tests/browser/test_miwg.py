"""The 21 BPMN MIWG reference diagrams open and render in the modeler; uploading each never fails with 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

MIWG = Path(__file__).resolve().parents[3] / "shared/conformance/miwg-reference"
DIAGRAMS = sorted(MIWG.glob("*.bpmn"))

pytestmark = pytest.mark.skipif(not DIAGRAMS, reason=f"no MIWG reference diagrams at {MIWG}")


@pytest.fixture(scope="module")
def admin_page(browser, live_server):  # noqa: ANN001, ANN201
    """One signed-in admin page for the whole module."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server)
    context.set_default_timeout(20000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    sign_in(page, "admin")
    page.goto("/admin/modeler")
    page.wait_for_selector("[data-testid=modeler-canvas][data-rendered=true]")
    yield page, errors
    context.close()


def test_there_are_21_reference_diagrams() -> None:
    assert len(DIAGRAMS) == 21


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_opens_and_renders_in_the_modeler(admin_page, path: Path) -> None:  # noqa: ANN001
    page, errors = admin_page
    shapes = page.evaluate("""async (xml) => {
        await window.xietongOpen(xml);
        return window.xietongModeler.get('elementRegistry').filter(e => e.type !== 'label').length;
    }""", path.read_text(encoding="utf-8"))
    assert shapes > 1
    assert page.locator("[data-testid=modeler-canvas] .djs-element").count() > 1
    assert not errors


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_upload_deploys_or_names_the_elements_at_fault(admin_page, path: Path) -> None:  # noqa: ANN001
    page, _errors = admin_page
    page.goto("/admin/processes/upload")
    page.set_input_files("input[name=diagram]", str(path))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("[data-testid=upload-form] button[type=submit]")
    status = posted.value.status
    assert status in (302, 422), f"{path.name}: HTTP {status}"
    if status == 422:
        # Each error names its element, or is about the whole diagram (no executable process, unreadable XML).
        rows = page.locator("[data-testid=upload-errors] tbody tr")
        assert rows.count() >= 1
        for i in range(rows.count()):
            element, message = rows.nth(i).get_attribute("data-element"), rows.nth(i).locator("td").nth(1).inner_text()
            assert message.strip()
            assert element or "executable" in message or "read" in message, f"{path.name}: {message}"
    else:
        page.wait_for_selector("[data-testid=versions]")
