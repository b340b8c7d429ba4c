"""Every message of the catalog renders in both languages: Chinese on a Chinese page, the template filled in English.

The catalog (workflows/messages) is the one place a message is written; this test renders each
code with a value for each placeholder: the Chinese rendering exists, fills every placeholder and
keeps none of the English template's words (technical names a diagram author types stay), and the
English rendering is the template filled with the values as a person reads them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from app.web.messages import render
from workflows import models
from workflows.errors import ConflictError, DomainError
from workflows.messages import CATALOG, NOTICE_TITLES, UnknownMessageError, message

HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
WORD = re.compile(r"[A-Za-z_]{3,}")
# Names a diagram author types (properties, attributes, file fields) and technical terms: kept in Chinese text.
TECHNICAL = {"isExecutable", "true", "false", "agencyType", "agencyFrom", "deadline", "deadlineDate", "deadlineFrom",
             "escalateTo", "remindBefore", "extension", "extensionRole", "maxExtensions", "lateExtension",
             "prefill", "kpi", "outcome", "due_at", "loopCardinality", "JSON", "Schema", "XML", "DTD", "URI", "UTF",
             "NUL", "multipart", "diagram", "copyTo", "titleAgency", "priority",
             "import", "class", "try", "with"}  # Python's keywords, as written in a script

# A value for each placeholder, and how an English page shows it (a role by its label, a time in local time...).
SAMPLES: dict[str, tuple[Any, str]] = {
    "role": ("leader", "Leader"),
    "status": ("completed", "completed"),
    "agency_type": ("customs_nowhere", "customs_nowhere"),  # a type the directory does not hold: its code
    "actual_type": ("tax_nowhere", "tax_nowhere"),
    "types": (["customs_nowhere", "tax_nowhere"], "customs_nowhere, tax_nowhere"),
    "period": ("15 working days", "15 working days"),
    "longest": ("240 months", "240 months"),
    "after": ("2026-12-08T16:00:00+00:00", "2026-12-09 00:00"),
    "latest": ("2026-12-29T16:00:00+00:00", "2026-12-30 00:00"),
    "forms": ("'N days'", "'N days', 'N working days', 'N hours', or 'N months'"),
    "reason": ({"code": "work_item_not_found", "params": {"id": 7}}, "work item 7 not found"),
    "flag": ({"code": "executable_flag", "params": {"value": "false"}}, 'isExecutable="false"'),
    "options": (["county", "city"], "county, city"),
    "offered": (["agency_statistics"], "agency_statistics"),
    "units": (["days", "working_days"], "days, working days"),
    "fields": (["reason", "court"], "reason, court"),
}


def _params(template: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Values for a template's placeholders, and the English page's view of them."""
    raw, shown = {}, {}
    for index, name in enumerate(PLACEHOLDER.findall(template)):
        raw[name], shown[name] = SAMPLES.get(name, (f"Q{index}7", f"Q{index}7"))
    return raw, shown


def _english_words(template: str) -> set[str]:
    """The template's own words (not its placeholders), technical names left out."""
    return {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", template))} - {t.lower() for t in TECHNICAL}


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_each_message_renders_in_chinese(app: Flask, code: str) -> None:
    template = CATALOG[code]
    raw, _ = _params(template)
    with app.test_request_context("/"):
        shown = render(code, raw)
    assert HAN.search(shown), f"{code}: no Chinese: {shown}"
    assert "%(" not in shown and "%s" not in shown, f"{code}: a placeholder left: {shown}"
    left = {w.lower() for w in WORD.findall(shown)} & _english_words(template)
    assert not left, f"{code}: English words {left} in: {shown}"


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_each_message_renders_in_english_as_its_template_filled(app: Flask, code: str) -> None:
    template = CATALOG[code]
    raw, shown_en = _params(template)
    with app.test_request_context("/?lang=en"):
        inline = render(code, raw, sentence=False)
        sentence = render(code, raw)
    assert inline == template % shown_en
    assert sentence[:1] == sentence[:1].upper() and sentence.rstrip(".") == (inline[:1].upper() + inline[1:])


def test_every_notice_kind_has_a_title() -> None:
    kinds = {value for name, value in vars(models.notice).items() if name.isupper() and isinstance(value, str)}
    assert kinds == {"copy_received", "deadline_approaching", "deadline_missed", "deadline_extended", "task_arrived",
                     "reminder"}
    for kind in kinds:
        assert any(code == f"notice_{kind}" for code in NOTICE_TITLES), kind
    assert set(NOTICE_TITLES) <= set(CATALOG)


def test_a_message_is_a_code_and_values_and_refuses_an_unknown_code() -> None:
    found = message("work_item_status", id=5, status="completed")
    assert (found.code, found.params, found.english) == ("work_item_status", {"id": 5, "status": "completed"},
                                                         "work item 5 is completed")
    err = ConflictError("work_item_status", id=5, status="completed")
    assert (err.status, err.code, err.params, err.message, str(err)) == (
        409, "work_item_status", {"id": 5, "status": "completed"}, "work item 5 is completed",
        "work item 5 is completed")
    with pytest.raises(UnknownMessageError):
        message("the work item is completed")
    with pytest.raises(UnknownMessageError):
        DomainError("work item 5 is completed")


def test_an_inner_message_renders_in_the_same_language(app: Flask) -> None:
    reason = message("lane_unresolved", lane="承办局", agency_type="customs_nowhere", jurisdiction="嘉定区",
                     agency="嘉定区市场监督管理局")
    stopped = message("instance_stopped_because", status="error", reason=reason)
    assert stopped.english == ("the instance is error: lane 承办局: no agency of type customs_nowhere in 嘉定区 "
                               "nor above 嘉定区市场监督管理局")
    with app.test_request_context("/"):
        assert render(stopped.code, stopped.params) == (
            "案件当前为“出错”状态：泳道 承办局：嘉定区 没有类型为 customs_nowhere 的机构，"
            "嘉定区市场监督管理局 的上级中也没有。")
    with app.test_request_context("/?lang=en"):
        assert render(stopped.code, stopped.params) == (
            "The instance is in error: lane 承办局: no agency of type customs_nowhere in 嘉定区 nor above "
            "嘉定区市场监督管理局")


def test_period_units_read_in_the_page_language(app: Flask) -> None:
    found = message("period_unit_unknown", unit="'weeks'", units=["days", "working_days", "hours", "months"])
    with app.test_request_context("/"):
        assert render(found.code, found.params) == "未知的期限单位 'weeks'；应为 日、工作日、小时、月 之一。"
    with app.test_request_context("/?lang=en"):
        assert render(found.code, found.params) == \
            "Unknown period unit 'weeks'; expected one of days, working days, hours, months."


def test_an_unknown_stored_code_or_a_missing_value_never_breaks_a_page(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render("a_code_of_a_newer_version", {"x": 1}) == "a_code_of_a_newer_version"
        assert render("work_item_not_found", {}) == "未找到工作项 …。"
