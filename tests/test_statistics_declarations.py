"""What a diagram may declare for the statistics, checked at deployment (docs/diagrams.md §9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.deployment.deploy import DiagramInvalidError, validate_diagram

FOLDER = Path(__file__).parent / "data" / "statistics"
XML = (FOLDER / "lead_check.bpmn").read_text()
FORMS = {"review.json": (FOLDER / "review.json").read_bytes()}
TYPES = {"market_supervision", "police"}


def test_the_declarations_are_read_with_their_labels() -> None:
    declared = validate_diagram(XML.encode(), FORMS, TYPES).declared
    assert {k: (v.code, v.label) for k, v in declared.outcomes.items()} == {
        "end_filed": ("investigated", "侦查终结"), "end_declined": ("declined", "不予立案")}
    flows = {k: (v.code, v.label, v.source, v.target) for k, v in declared.measures.items()}
    assert flows == {"task_register": ("lead_registered", "登记线索", None, None),
                     "f_filed": ("police_filed", "立案", "gw_decision", "task_investigate"),
                     # a flow without a name is labelled by its target
                     "f_declined": ("police_declined", "不予立案", "gw_decision", "end_declined")}


@pytest.mark.parametrize(("change", "element", "message"), [
    (('name="measure" value="police_filed"', 'name="measure" value="Police Filed"'), "f_filed", "lower-case letters"),
    (('name="outcome" value="declined"', 'name="outcome" value="x' + "y" * 60 + '"'), "end_declined", "at most 50"),
    (('<spiffworkflow:property name="deadline" value="30 days"/>',
      '<spiffworkflow:property name="deadline" value="30 days"/><spiffworkflow:property name="outcome" value="x"/>'),
     "task_investigate", "end events only"),
    (('name="kpi" value="statutory"', 'name="kpi" value="Statutory"'), "task_review", "lower-case letters"),
    (('<spiffworkflow:property name="deadline" value="3 days"/>', '<spiffworkflow:property name="kpi" value="x"/>'),
     "task_register", "needs a deadline"),
])
def test_bad_declarations_are_refused_naming_the_element(change: tuple[str, str], element: str, message: str) -> None:
    assert change[0] in XML
    with pytest.raises(DiagramInvalidError) as raised:
        validate_diagram(XML.replace(change[0], change[1]).encode(), FORMS, TYPES)
    assert [e["element"] for e in raised.value.details if message in e["message"]] == [element]
