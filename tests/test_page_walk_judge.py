"""The judge of the browser walk (tests/browser/walk.py) on known texts: what it must find and what is data."""

from __future__ import annotations

import pytest

from tests.browser.walk import RAW_KEYS, findings_in, shape

DATA = "张三\n沪嘉市监线〔2026〕7号\n线索{lead_no}已立案\n嘉定区市场监督管理局"


@pytest.mark.parametrize("shown", [
    "待办工作 My agency's open items",  # an English source text of the catalog
    "通知 Search in diagram 激活",  # an English phrase
    "延长 27 days 的理由",
    "层级 district",
    "单位类型 police",  # a one-word code on a Chinese page is English (on an English page, a word)
])
def test_english_on_a_chinese_page_is_found(shown: str) -> None:
    assert findings_in([shown], "zh")


@pytest.mark.parametrize("shown", [
    "DEMO-CT-NEW 涉嫌假冒专利罪移送", "下载 PDF", "导出 Excel（.xlsx）", "report.docx 上传于 2026-12-05", "v1 · 嘉定区",
])
def test_identifiers_file_names_and_acronyms_on_a_chinese_page_are_not_english(shown: str) -> None:
    assert findings_in([shown], "zh") == []


@pytest.mark.parametrize("shown", [
    "补正轮次 supplement_rounds", "task_arrived", "work_item.overdue", "当事人类型 legal_person", "mediation_committee",
])
def test_raw_keys_are_found_in_either_language(shown: str) -> None:
    assert any("raw key" in f for f in findings_in([shown], "zh"))
    assert any("raw key" in f for f in findings_in([shown], "en"))


@pytest.mark.parametrize("shown", [
    "due=<Macro 'due'>", "Claimed by None", "{{ item.title }}", "%(reason)s", "undefined", "NaN days",
    "[object Object]",
])
def test_template_and_script_debris_is_found(shown: str) -> None:
    assert any("debris" in f for f in findings_in([shown], "en"))


def test_none_as_the_english_for_an_empty_list_is_not_debris() -> None:
    assert findings_in(["Claimed by\tNone.\nTimeline"], "en") == []


def test_chinese_on_an_english_page_is_interface_text_unless_the_data_holds_it() -> None:
    assert findings_in(["Claimed by 张三", "Case update 线索沪嘉市监线〔2026〕7号已立案"], "en", DATA) == []
    assert findings_in(["Open 认领"], "en", DATA)  # not in the data: a leak
    assert findings_in(["新任务：张三"], "en", DATA)
    assert findings_in(["Deadline 期限已延长"], "en", DATA)  # a catalog translation, whatever the data


def test_raw_keys_come_from_the_shipped_processes_and_the_code() -> None:
    assert {"supplement_rounds", "admin_case_no", "case_transfer", "lead_received", "market_supervision",
            "attachment.uploaded", "deadline_missed"} <= set(RAW_KEYS)


def test_a_page_shape_ignores_rows_cursors_and_versions() -> None:
    assert shape("/instances/12") == shape("/instances/3") == "/instances/#"
    assert shape("/work-items?view=queue&after=abc") == "/work-items?view=queue"
    assert shape("/admin/processes/case_transfer/modeler?version=2") == "/admin/processes/*/modeler"
    assert shape("/admin/processes/upload") == "/admin/processes/upload"
