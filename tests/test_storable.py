"""What task data may hold: the rule, its enforcement after scripts and engine runs, and the stored state."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from tests.test_scripting import build_workflow, end_data
from workflows.engine.runtime import EngineError, complete_task, run_engine
from workflows.engine.serialization import state_to_dict, workflow_from_state
from workflows.errors import InvalidDataError
from workflows.scripting import RestrictedEnvironment, UnstorableDataError, make_script_engine
from workflows.scripting.storable import MAX_DEPTH, MAX_TEXT, MAX_VALUES, data_problem
from workflows.work.steps import storable_input

# Wall-clock bounds: run after the parallel tests, with the machine to themselves (Makefile `test`).
pytestmark = pytest.mark.timing


def nested(depth: int) -> list[Any]:
    """A list inside a list ... `depth` levels deep."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


STORABLE = {
    "text": "沪嘉市监移〔2026〕1号", "amount": 86000, "ratio": 0.5, "flag": True, "none": None,
    "filed": date(2026, 3, 1), "at": datetime(2026, 3, 1, 9, tzinfo=UTC), "fee": Decimal("12.50"),
    "parties": [{"name": "某公司", "dates": [date(2026, 1, 1)], "fees": (Decimal("1.5"),)}],
    "deep": nested(MAX_DEPTH), "big": 2**63 - 1, "long": "x" * (MAX_TEXT // 2), "many": list(range(MAX_VALUES - 100)),
}


@pytest.mark.parametrize(
    ("value", "where", "why"),
    [
        (1j, "x", "a value of type complex cannot be stored"),
        (slice(1, 2), "x", "a value of type slice"),
        (range(3), "x", "a value of type range"),
        ({1, 2}, "x", "a value of type set"),
        (frozenset([1]), "x", "a value of type frozenset"),
        (b"ab", "x", "a value of type bytes"),
        (time(9), "x", "a value of type time"),
        (timedelta(days=1), "x", "a value of type timedelta"),
        (object(), "x", "a value of type object"),
        (float("nan"), "x", "nan is not a number that can be stored"),
        (float("inf"), "x", "inf is not a number that can be stored"),
        (Decimal("NaN"), "x", "NaN is not a number"),
        (2**63, "x", "the number does not fit in 64 bits"),
        (-(2**64), "x", "the number does not fit in 64 bits"),
        ({(1, 2): "a"}, "x", "the key (1, 2) is not text"),
        ({1: "a"}, "x", "the key 1 is not text"),
        ([{"a": [1, {"b": 1j}]}], "x[0]['a'][1]['b']", "a value of type complex"),
        ([date(2026, 1, 1), slice(1)], "x[1]", "a value of type slice"),
        (nested(MAX_DEPTH + 1), "x" + "[0]" * MAX_DEPTH, "nested deeper than the limit of 32"),
        (nested(100_000), "x" + "[0]" * MAX_DEPTH, "nested deeper than the limit of 32"),
        ("x" * (MAX_TEXT + 1), "x", "the data has more than the limit of 1,000,000 characters of text"),
        ([0] * MAX_VALUES, "x", "the data has more than the limit of 20,000 values"),
    ],
)
def test_values_that_cannot_be_stored_are_named_with_their_place(value: Any, where: str, why: str) -> None:
    field, problem = data_problem({"ok": 1, "x": value})
    assert field == "x"
    assert problem.params["path"] == where and problem.english.startswith(f"{where}: ") and why in problem.english


def test_json_values_dates_and_decimals_can_be_stored() -> None:
    assert data_problem(STORABLE) is None


def test_a_list_that_contains_itself_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    assert "nested deeper" in data_problem({"loop": loop})[1].english


# ---------------------------------------------------------------------------
# A script that leaves such a value fails, and changes nothing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("isolated", [True, False])
@pytest.mark.parametrize(
    ("script", "why"),
    [
        ("x = 1j", "variable x: a value of type complex cannot be stored"),
        ("x = slice(1, 2)", "variable x: a value of type slice"),
        ("x = range(10)", "variable x: a value of type range"),
        ("x = {1, 2}", "variable x: a value of type set"),
        ("x = b'ab'", "variable x: a value of type bytes"),
        ("x = [date(2026, 1, 1), {1}]", "variable x[1]: a value of type set"),
        ("x = []\nfor i in range(100000):\n    x = [x]", "nested deeper than the limit of 32"),
        ("x = 'a' * 10**7", "variable x: the data has more than the limit of 1,000,000 characters"),
        ("x = list(range(10**5))", "variable x: the data has more than the limit of 20,000 values"),
        ("x = float('nan')", "variable x: nan is not a number"),
        ("x = 2**64", "variable x: the number does not fit in 64 bits"),
        ("x = {(1, 2): 1}", "variable x: the key (1, 2) is not text"),
        ("items.append(1j)", "variable items[1]: a value of type complex"),  # a change in place
    ],
)
def test_a_script_leaving_unstorable_data_fails_and_changes_nothing(script: str, why: str, isolated: bool) -> None:
    env = RestrictedEnvironment(isolated=isolated)
    data = {"items": [1], "amount": 2}
    with pytest.raises(UnstorableDataError, match=re.escape(why)):
        env.execute(script, data)
    assert data == {"items": [1], "amount": 2} or not isolated  # in this process a change in place stays


def test_a_script_may_leave_dates_and_decimals_anywhere() -> None:
    data: dict[str, Any] = {"filed": date(2026, 3, 1)}
    RestrictedEnvironment().execute("due = [filed + timedelta(days=30)]\nplan = {'at': datetime(2026, 3, 1, "
                                    "tzinfo=timezone.utc), 'days': (filed - date(2026, 1, 1)).days}", data)
    assert data["due"] == [date(2026, 3, 31)] and data["plan"]["days"] == 59


def test_a_failing_script_task_keeps_its_data_and_can_run_again() -> None:
    workflow = build_workflow("total = amount\nodd = {amount}", {"amount": 7})
    with pytest.raises(WorkflowTaskException, match="variable odd: a value of type set"):
        workflow.do_engine_steps()
    (failed,) = workflow.get_tasks(state=TaskState.ERROR)
    assert failed.data == {"amount": 7}  # neither total nor odd
    json.dumps(state_to_dict(workflow))  # the state can be stored as it is


# ---------------------------------------------------------------------------
# The stored state keeps dates and decimals wherever they are (SpiffWorkflow stored them raw)
# ---------------------------------------------------------------------------


def test_dates_and_decimals_at_any_depth_survive_the_stored_state() -> None:
    script = ("total = amount\nfiled = date(2026, 3, 1)\nplan = {'steps': [date(2026, 3, 2), "
              "datetime(2026, 3, 3, 9, tzinfo=timezone.utc)]}")
    workflow = build_workflow(script, {"amount": 3})
    workflow.do_engine_steps()
    stored = json.loads(json.dumps(state_to_dict(workflow)))  # what the JSON column holds
    restored = workflow_from_state(workflow.spec, workflow.subprocess_specs, stored)
    data = end_data(restored, "end_small")
    assert data["filed"] == date(2026, 3, 1)
    assert data["plan"] == {"steps": [date(2026, 3, 2), datetime(2026, 3, 3, 9, tzinfo=UTC)]}


# ---------------------------------------------------------------------------
# After every engine run, and at the door
# ---------------------------------------------------------------------------


USER_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
                  targetNamespace="http://example.com/storable">
  <bpmn:process id="ask" isExecutable="true">
    <bpmn:startEvent id="start_event" />
    <bpmn:sequenceFlow id="f1" sourceRef="start_event" targetRef="answer" />
    <bpmn:userTask id="answer" />
    <bpmn:sequenceFlow id="f2" sourceRef="answer" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_data_the_engine_cannot_store_stops_the_step_and_is_left_out() -> None:
    # Services check submissions first and scripts cannot leave such values; the engine still can
    # (a message payload, a multi-instance output): the check after the run holds whatever the source.
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(USER_TASK.encode(), filename="ask.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("ask"), script_engine=make_script_engine())
    run_engine(workflow)
    (answer,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    with pytest.raises(EngineError, match=r"at 'answer': the task data cannot be stored: odd: a value of type complex "
                                          r"cannot be stored; .* \(the field 'odd' was left out\)"):
        complete_task(workflow, answer, {"odd": 1j, "fine": 1})
    assert workflow.is_completed()
    assert all("odd" not in task.data for task in workflow.get_tasks())
    assert workflow.last_task.data == {"fine": 1}
    json.dumps(state_to_dict(workflow))


@pytest.mark.parametrize(
    ("data", "field", "why"),
    [
        ({"x": float("nan")}, "x", "nan is not a number"),
        ({"x": 2**70}, "x", "64 bits"),
        ({"x": "a" * (MAX_TEXT + 1)}, "x", "characters of text"),
        ({"x": [[1, 2]] * 10_000}, "x", "20,000 values"),
        ({"x": nested(MAX_DEPTH + 1)}, "x", "nested deeper"),
        ({"x": nested(50_000)}, "data", "nested deeper than the limit of 32"),  # past what json.dumps follows
    ],
)
def test_submitted_data_that_cannot_be_stored_is_refused_with_422(data: dict[str, Any], field: str,
                                                                   why: str) -> None:
    with pytest.raises(InvalidDataError) as refused:
        storable_input(data)
    assert refused.value.status == 422 and refused.value.message == "the form has errors"
    assert why in refused.value.details[field][0].english


def test_submitted_dates_become_text_as_before() -> None:
    assert storable_input({"d": date(2026, 1, 2), "n": [1, "a"]}) == {"d": "2026-01-02", "n": [1, "a"]}
