"""The pages keep to their Content-Security-Policy: the modeler, the viewer and the forms run with no refusal.

Chromium fires `securitypolicyviolation` for every refusal (and reports it on the console, which
the `new_page` fixture fails on for every browser test); a listener added before any page script
runs records them. The last test shows the listener would see one.
"""

from __future__ import annotations

from typing import Any

from app.headers import CONTENT_SECURITY_POLICY
from tests.browser.conftest import VIEWPORT, sign_in
from tests.browser.seed import open_case

LISTEN = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));"""


def _watched(page: Any) -> Any:
    """The page with the violation listener installed in every document it opens."""
    page.add_init_script(LISTEN)
    return page


def _violations(page: Any) -> list[str]:
    return page.evaluate("window.__violations")


def test_the_modeler_keeps_to_the_policy(new_page) -> None:  # noqa: ANN001
    admin = _watched(new_page())
    sign_in(admin, "admin")
    response = admin.goto("/admin/processes/case_transfer/modeler")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    admin.wait_for_selector("[data-element-id=task_register] > .djs-visual")  # drawn from the stored diagram
    admin.locator(".djs-palette .entry[data-action='create.task']").wait_for()  # the palette too
    admin.locator("[data-element-id=task_register] > .djs-visual").dispatch_event("click")  # the properties panel
    admin.wait_for_selector("[data-testid=properties-panel][data-element=task_register] [data-entry-id=role]")
    admin.click("[data-tab=forms]")  # every form's preview, rendered by the server into the page
    admin.locator("[data-testid=form-preview] .field").first.wait_for()
    assert _violations(admin) == []


def test_a_form_and_the_case_viewer_keep_to_the_policy(live_app, new_page) -> None:  # noqa: ANN001
    instance_id = open_case(live_app, "CSP-BROWSER-1")
    liaison = _watched(new_page())
    sign_in(liaison, "jd_msa_liaison")
    row = liaison.locator("tr[data-task='task_register']", has_text="CSP-BROWSER-1")
    row.get_by_role("button", name="认领").click()
    liaison.wait_for_selector("[data-testid=task-form]")
    liaison.locator(".add-row[data-for=parties]").click()  # forms.js adds a row
    liaison.wait_for_selector("#f-parties-1-name")
    assert _violations(liaison) == []
    liaison.goto(f"/instances/{instance_id}")
    liaison.wait_for_selector(".djs-container svg")  # the case's diagram in the viewer
    assert _violations(liaison) == []


def test_an_inline_script_is_refused_and_seen(browser, live_server) -> None:  # noqa: ANN001
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server)
    try:
        page = _watched(context.new_page())
        page.goto("/login")
        page.evaluate("""() => { const s = document.createElement("script");
                                 s.textContent = "window.__ran = true"; document.body.append(s); }""")
        page.wait_for_function("window.__violations.length > 0")
        assert page.evaluate("window.__ran === undefined")
        assert _violations(page)[0].startswith("script-src")
    finally:
        context.close()
