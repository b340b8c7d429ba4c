"""Why a case stopped reaches its page in Chinese, with the values and the engine's own text kept."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.stop_reasons import localize_stop_reason
from tests.test_web_domain_messages import HAN, raised_messages
from tests.test_web_pages import sign_in
from tests.test_web_resume import _case_in_error, _resume

# What stops an instance: lanes that resolve to no agency, deadline dates, the engine.
STOPS = {"LaneResolutionError", "DeadlineStartError", "EngineError"}

REASONS = raised_messages(STOPS)


def test_the_scan_finds_the_lane_deadline_and_engine_reasons() -> None:
    assert len(REASONS) >= 8
    assert "lane 1: no agency of type 1 in 1 nor above 1" in REASONS


@pytest.mark.parametrize("reason", REASONS)
def test_each_stop_reason_is_translated(app: Flask, reason: str) -> None:
    with app.app_context(), app.test_request_context("/"):
        shown = localize_stop_reason(reason)
    assert shown != reason and HAN.search(shown), f"no Chinese for: {reason}"


def test_agency_types_read_by_name_and_engine_text_is_kept(app: Flask, demo) -> None:  # noqa: ANN001
    with app.app_context(), app.test_request_context("/"):
        assert localize_stop_reason("lane 目标市场监管局: agency 'jd_police' is a police, the lane needs a "
                                    "market_supervision") == (
            "泳道 目标市场监管局：机构 'jd_police' 的类型是 公安机关 (police)，"
            "而该泳道需要 市场监督管理局（知识产权局） (market_supervision)。")
        nowhere = "lane X: no agency of type customs_nowhere in 嘉定区 nor above 嘉定区市场监督管理局"
        assert localize_stop_reason(nowhere) == \
            "泳道 X：嘉定区 没有类型为 customs_nowhere 的机构，嘉定区市场监督管理局 的上级中也没有。"
        failure = "at 'script_share': ZeroDivisionError: division by zero\nin line 1"
        assert localize_stop_reason(failure) == \
            "'script_share' 处的步骤执行失败：ZeroDivisionError: division by zero\nin line 1"
        assert localize_stop_reason("timer processing failed: OperationalError: locked") == \
            "处理案件的定时器时出错：OperationalError: locked"
        assert localize_stop_reason("something nobody foresaw") == "something nobody foresaw"
        assert localize_stop_reason(None) == ""
    with app.app_context(), app.test_request_context("/?lang=en"):
        assert localize_stop_reason(failure) == \
            "The step at 'script_share' failed: ZeroDivisionError: division by zero\nin line 1"


def test_the_case_page_and_its_history_give_the_reason_in_chinese(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    sign_in(client, "admin")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    shown = "&#39;script_share&#39; 处的步骤执行失败：WorkflowTaskException: ZeroDivisionError"
    assert page.count(shown) == 2  # the banner and the timeline's error entry
    assert "at &#39;script_share&#39;" not in page
    # Corrected, the script runs, and the lane then names an agency of the wrong type: stopped again.
    again = _resume(client, instance_id, '{"parts": 3, "target_agency": "jd_police"}')
    page = client.get(again.location).get_data(as_text=True)
    assert "案件再次停止：泳道 承办局：" in page
    assert "机构 &#39;jd_police&#39; 的类型是 公安机关 (police)" in page


def test_the_dashboard_lists_the_stopped_case_with_its_reason(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = _case_in_error(app)
    sign_in(client, "jd_supervisor")
    page = client.get("/dashboard").get_data(as_text=True)
    card = page[page.index('data-testid="stopped-cases"'):]
    assert "因错误中止的案件 <small>1</small>" in card
    assert f'href="/instances/{instance_id}"' in card
    assert "&#39;script_share&#39; 处的步骤执行失败：WorkflowTaskException: ZeroDivisionError" in card
    # Resumed with a correction, the case leaves the list.
    sign_in(client, "admin")
    _resume(client, instance_id, '{"parts": 3}')
    sign_in(client, "jd_supervisor")
    card = client.get("/dashboard").get_data(as_text=True).split('data-testid="stopped-cases"')[1]
    assert f'href="/instances/{instance_id}"' not in card and "没有中止的案件" in card
