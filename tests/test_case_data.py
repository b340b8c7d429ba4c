"""Case data as a person reads it: labels from the form that holds the value, nothing no form declares."""

from __future__ import annotations

import json
from pathlib import Path

from app.web.presenters import field_labels, shown_data

ROOT = Path(__file__).resolve().parent.parent


def shipped_forms(process: str) -> dict:
    return {f.name: json.loads(f.read_text()) for f in sorted((ROOT / "bpmn" / process).glob("*.json"))}


def test_rows_of_an_array_are_labelled_by_the_form_field_that_holds_them() -> None:
    labels = field_labels(shipped_forms("case_transfer"))  # handover.json (物品名称) comes before register.json
    assert labels["parties"].title == "当事人"
    assert labels["parties"].fields["name"].title == "姓名或者名称"
    assert labels["evidence_list"].fields["name"].title == "证据名称"
    assert labels["seized_items"].fields["name"].title == "物品名称"
    assert labels["parties"].form == "登记涉嫌犯罪案件"


def test_values_no_form_declares_are_never_shown() -> None:
    labels = field_labels(shipped_forms("work_report"))
    data = {"title": "2026年上半年工作总结", "bureau": "jd_msa", "reports": [{"bureau": "jd_msa"}],
            "figures": {"cases_started": 3}, "supplement_rounds": 2, "forward_rounds": 1}
    shown = [name for group in shown_data(data, labels) for name, _label, _value in group.fields]
    assert shown == ["title"]


def test_case_data_is_grouped_by_the_form_that_declares_it() -> None:
    labels = field_labels(shipped_forms("mediation_confirmation"))
    data = {"dispute_no": "D1", "agreement_no": "A1", "facts": "事实", "supplement_rounds": 1}
    groups = shown_data(data, labels)
    assert [(g.title, [n for n, _l, _v in g.fields]) for g in groups] == [
        ("登记纠纷", ["dispute_no", "facts"]), ("调解协议", ["agreement_no"])]
