"""The API's Swagger UI page (/api/docs) loads from the app's own files and keeps to the Content-Security-Policy."""

from __future__ import annotations

from app.headers import CONTENT_SECURITY_POLICY
from tests.browser.test_content_security_policy import _violations, _watched


def test_swagger_ui_shows_the_operations_without_a_csp_refusal(new_page) -> None:  # noqa: ANN001
    page = _watched(new_page())
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto("/api/docs")
    assert response.status == 200 and response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page.wait_for_selector("[data-testid=swagger-ui][data-loaded=true]")
    page.locator(".opblock-summary-path", has_text="/api/v1/work-items/{item_id}/complete").first.wait_for()
    page.locator(".opblock-tag", has_text="Work items").first.wait_for()
    assert _violations(page) == []  # the fixture also fails on any console report of a refusal
    base = page.url.split("/api/docs")[0]
    assert requested and all(url.startswith(base) or url.startswith("data:") for url in requested), requested
