"""The statistics page in Chromium: a period picked in the form, chart.js drawing both charts, no console error;
XIETONG_SCREENSHOTS=1 writes docs/screenshots/statistics.png for the README."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT, sign_in
from tests.browser.seed import assistance_history
from workflows.clock import now
from workflows.deadlines.calendar import SHANGHAI


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return ROOT / "docs/screenshots" if os.environ.get("XIETONG_SCREENSHOTS") == "1" else tmp_path


def _charted(page: Any, testid: str) -> bool:
    """chart.js made a chart on the canvas."""
    return page.evaluate("id => !!window.Chart && window.Chart.getChart(document.querySelector("
                         "`[data-testid=${id}]`)) !== undefined", testid)


def test_a_supervisor_picks_a_range_of_days_and_sees_the_charts(live_app, new_page, shots: Path) -> None:  # noqa: ANN001
    seeded = assistance_history(live_app)
    today = now().astimezone(SHANGHAI).date()
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.location.get('url')}: {message.text}")
            if message.type == "error" and "favicon" not in message.location.get("url", "") else None)
    sign_in(page, "jd_supervisor")
    page.get_by_role("link", name="统计").click()
    page.wait_for_selector("[data-testid=chart-trend][data-rendered=true]")
    assert _charted(page, "chart-trend")

    form = page.locator("[data-testid=statistics-form]")
    form.locator("select[name=kind]").select_option("range")
    assert form.locator("input[name=year]").is_hidden() and form.locator("input[name=from]").is_visible()
    form.locator("input[name=from]").fill((today - timedelta(days=200)).isoformat())
    form.locator("input[name=to]").fill(today.isoformat())
    form.locator("select[name=process]").select_option("assistance_request")
    form.get_by_role("button", name="查询").click()
    page.wait_for_url("**/statistics?kind=range*")
    page.wait_for_selector("[data-testid=chart-rates][data-rendered=true]")
    assert _charted(page, "chart-trend") and _charted(page, "chart-rates")
    row = page.locator("[data-testid=stats-processes] tr[data-key=assistance_request]")
    assert row.locator("[data-col=started]").inner_text() == str(seeded)
    assert row.locator("[data-col=ended]").inner_text() == str(seeded)
    assert "协助调查完成" in row.locator("[data-col=outcomes]").inner_text()
    rate = page.locator("[data-testid=stats-agencies] tr[data-key=jd_msa] [data-col=rate]").inner_text()
    assert rate.endswith("%") and rate != "100.0%"  # some approvals came a week late
    assert page.locator("[data-testid=statistics-export]").get_attribute("href").startswith(
        "/statistics/export.xlsx?kind=range")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "statistics.png"))
    assert (shots / "statistics.png").stat().st_size > 10_000
    assert not problems, problems
