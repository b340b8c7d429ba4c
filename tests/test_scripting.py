"""The restricted script environment: policy, engine integration, time and size limits."""

from __future__ import annotations

import copy
import functools
import operator
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows.messages import message
from workflows.scripting import (
    RestrictedCodeError,
    RestrictedEnvironment,
    check_expression,
    check_script,
    make_script_engine,
)

LIMIT = 0.2

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://example.com/scripting">
  <bpmn:process id="calc" isExecutable="true">
    <bpmn:startEvent id="start_event">
      <bpmn:outgoing>to_script</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:scriptTask id="compute" name="Compute" scriptFormat="python">
      <bpmn:incoming>to_script</bpmn:incoming>
      <bpmn:outgoing>to_gateway</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="decide" default="to_small">
      <bpmn:incoming>to_gateway</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing>
      <bpmn:outgoing>to_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="to_script" sourceRef="start_event" targetRef="compute" />
    <bpmn:sequenceFlow id="to_gateway" sourceRef="compute" targetRef="decide" />
    <bpmn:sequenceFlow id="to_big" sourceRef="decide" targetRef="end_big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">total &gt; 10</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="decide" targetRef="end_small" />
    <bpmn:endEvent id="end_big">
      <bpmn:incoming>to_big</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="end_small">
      <bpmn:incoming>to_small</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def build_workflow(script: str, data: dict[str, Any]) -> BpmnWorkflow:
    """Parse the test diagram with the given script and seed the start data."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(DIAGRAM.format(script=script).encode(), filename="calc.bpmn")
    workflow = BpmnWorkflow(
        parser.get_spec("calc"), parser.get_subprocess_specs("calc"), script_engine=make_script_engine()
    )
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    return workflow


def completed_ids(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)}


def end_data(workflow: BpmnWorkflow, end_id: str) -> dict[str, Any]:
    (task,) = [task for task in workflow.get_tasks(state=TaskState.COMPLETED) if task.task_spec.bpmn_id == end_id]
    return task.data


@pytest.fixture(params=["isolated", "in-process"])
def env(request: pytest.FixtureRequest) -> RestrictedEnvironment:
    """The environment as the engine runs it (in a script process), and in this process as the child does."""
    return RestrictedEnvironment(time_limit=LIMIT, isolated=request.param == "isolated")


# ---------------------------------------------------------------------------
# Compile-time checks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'approval == "approve"',
        'amount > 50000 and ip_type in ("trademark", "patent")',
        "len(parties) >= 2",
        "sorted(items)[0] if items else None",
        "date(2024, 1, 1) + timedelta(days=3) > deadline",
        "{k: v for k, v in fees.items() if v}",
        'f"{amount:>10,.2f}"',
    ],
)
def test_normal_conditions_are_accepted(text: str) -> None:
    assert check_expression(text) == []


def test_multi_line_script_is_accepted() -> None:
    script = (
        "summary = {}\n"
        "total = 0\n"
        "for party in parties:\n"
        "    summary[party['name']] = party['share']\n"
        "    total += party['share']\n"
        "first, *rest = parties\n"
        "approved = total >= 100 and len(rest) > 0\n"
    )
    assert check_script(script) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("import os", "import"),
        ("__import__('os')", "__import__"),
        ("().__class__.__base__.__subclasses__()", "__class__"),
        ("open('/etc/passwd')", "open"),
        ("getattr(x, '__class__')", "getattr"),
        ("eval('1')", "Eval"),
        ("exec('x = 1')", "Exec"),
        ("x._private", "_private"),
        ("globals()", "globals"),
        ("print(x)", "print"),
        ("f'{x:>{width}}'", "format"),
        ("f'{x:>99999999}'", "format"),
        ("lambda: 1 +", "SyntaxError"),
    ],
)
def test_dangerous_expressions_are_rejected(text: str, fragment: str) -> None:
    errors = check_expression(text)
    assert errors
    assert any(fragment in str(error) for error in errors), errors


@pytest.mark.parametrize(
    ("script", "fragment"),
    [
        ("import os", "imports are not allowed"),
        ("from os import system", "imports are not allowed"),
        ("x = ().__class__.__base__.__subclasses__()", "__class__"),
        ("class A:\n    pass", "class definitions are not allowed"),
        # A handler could swallow the timeout and go on running untraced.
        ("try:\n    x = 1\nexcept Exception:\n    pass", "try statements are not allowed"),
        ("try:\n    x = 1\nfinally:\n    y = 2", "try statements are not allowed"),
        ("_getattr_ = 1", "_getattr_"),
        ("return 1", "outside function"),
    ],
)
def test_dangerous_scripts_are_rejected(script: str, fragment: str) -> None:
    errors = check_script(script)
    assert any(fragment in str(error) for error in errors), errors


def test_a_data_field_named_like_a_builtin_can_still_be_read() -> None:
    # Only *calls* of open/type/... are refused: a form may well have a field "type".
    assert check_expression('type == "patent" and open') == []
    assert RestrictedEnvironment().evaluate('type == "patent" and open', {"type": "patent", "open": True}) is True


def test_check_rejects_non_text() -> None:
    assert check_expression(None) == [message("code_not_text", kind="NoneType")]  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Running through SpiffWorkflow
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "end", "other"), [(7, "end_big", "end_small"), (3, "end_small", "end_big")])
def test_script_and_condition_run_in_a_real_workflow(amount: int, end: str, other: str) -> None:
    workflow = build_workflow("total = amount * 2", {"amount": amount})
    workflow.do_engine_steps()

    assert workflow.is_completed()
    assert end in completed_ids(workflow)
    assert other not in completed_ids(workflow)
    assert end_data(workflow, end) == {"amount": amount, "total": amount * 2}


def test_import_in_a_diagram_fails_without_importing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A module that leaves a mark when imported, where the import system would find it.
    marker = tmp_path / "imported"
    module = f"evil_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    workflow = build_workflow(f"import {module}\ntotal = 1", {"amount": 1})
    with pytest.raises(WorkflowTaskException) as failure:
        workflow.do_engine_steps()

    assert "imports are not allowed" in str(failure.value)
    assert module not in sys.modules
    assert not marker.exists()
    assert "compute" not in completed_ids(workflow)


def test_runtime_error_in_a_script_becomes_a_task_exception() -> None:
    workflow = build_workflow("total = 1\nratio = amount / 0", {"amount": 1})
    with pytest.raises(WorkflowTaskException) as failure:
        workflow.do_engine_steps()
    assert failure.value.error_type == "ZeroDivisionError"
    assert failure.value.line_number == 2  # the engine finds the failing line of the script


def test_errors_inside_restricted_code_propagate_unchanged(env: RestrictedEnvironment) -> None:
    with pytest.raises(ZeroDivisionError):
        env.execute("x = 1 / 0", {})
    with pytest.raises(KeyError):
        env.evaluate("d['missing']", {"d": {}})
    with pytest.raises(NameError):
        env.evaluate("undefined_name > 1", {})


def test_rejected_code_does_not_run(env: RestrictedEnvironment) -> None:
    with pytest.raises(RestrictedCodeError, match="__class__"):
        env.evaluate("().__class__.__base__.__subclasses__()", {})
    with pytest.raises(RestrictedCodeError, match="imports are not allowed"):
        env.execute("import os", {})


@pytest.mark.parametrize("name", ["open", "getattr", "eval", "exec", "compile", "vars", "type", "object", "setattr"])
def test_dangerous_builtins_are_absent_at_run_time(env: RestrictedEnvironment, name: str) -> None:
    # A bare reference compiles (it could be a data field) but finds nothing to call.
    with pytest.raises(NameError):
        env.evaluate(name, {})


def test_string_format_cannot_reach_dunders(env: RestrictedEnvironment) -> None:
    with pytest.raises(AttributeError):
        env.evaluate("'{0.__class__}'.format(x)", {"x": 1})
    with pytest.raises(AttributeError):
        env.evaluate("'{0.__class__}'.format_map(d)", {"d": {}})


def test_useful_builtins_work(env: RestrictedEnvironment) -> None:
    data = {"fees": [30, 10, 20], "names": ["b", "a"], "filed": date(2024, 1, 31)}
    assert env.evaluate("sum(fees) == 60 and max(fees) == 30 and min(fees) == 10", data) is True
    assert env.evaluate("sorted(names)", data) == ["a", "b"]
    assert env.evaluate("list(zip(names, range(2)))", data) == [("b", 0), ("a", 1)]
    assert env.evaluate("filed + timedelta(days=1)", data) == date(2024, 2, 1)
    assert env.evaluate("round(2 / 3, 2)", data) == 0.67
    assert env.evaluate("2 ** 10 + 3 * 4 + (1 << 4) + 7 % 3", data) == 1024 + 12 + 16 + 1
    assert env.evaluate("'%s-%05d' % ('A', 42)", data) == "A-00042"
    assert env.evaluate("'-'.join(names).upper().replace('B', 'C')", data) == "C-A"


# ---------------------------------------------------------------------------
# Data containing code is just data
# ---------------------------------------------------------------------------


def test_instance_data_containing_code_is_just_a_string(tmp_path: Path, env: RestrictedEnvironment) -> None:
    pwned = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {pwned}')"
    data = {"x": payload}

    assert env.evaluate("x == 'approve'", data) is False
    assert env.evaluate("x == payload", data, {"payload": payload}) is True
    assert env.evaluate("len(x) > 10 and 'import' in x", data) is True
    env.execute("y = x.upper()\nz = x + '!'", data)

    assert data["y"] == payload.upper()
    assert data["z"] == payload + "!"
    assert not pwned.exists()


def test_code_in_data_goes_through_a_workflow_as_data(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {pwned}')"
    workflow = build_workflow("total = len(note) * amount", {"amount": 1, "note": payload})
    workflow.do_engine_steps()

    assert "end_big" in completed_ids(workflow)
    assert end_data(workflow, "end_big")["note"] == payload
    assert not pwned.exists()


# ---------------------------------------------------------------------------
# Context handling
# ---------------------------------------------------------------------------


def test_execute_leaves_only_the_scripts_variables(env: RestrictedEnvironment) -> None:
    data: dict[str, Any] = {"amount": 5, "parties": [{"name": "a", "share": 60}, {"name": "b", "share": 40}]}
    script = (
        "def share_of(party):\n"
        "    return party['share']\n"
        "pick = lambda p: p['name']\n"
        "shares = {}\n"
        "for party in parties:\n"
        "    shares[pick(party)] = share_of(party)\n"
        "first, second = parties\n"
        "total = 0\n"
        "total += sum(shares.values())\n"
        "parties[0]['checked'] = True\n"
        "squares = [x * x for x in range(3)]\n"
        "gen = (x for x in range(3))\n"
        "pairs = zip(squares, squares)\n"
    )
    env.execute(script, data)

    assert set(data) == {"amount", "parties", "shares", "party", "first", "second", "total", "squares"}
    assert data["shares"] == {"a": 60, "b": 40}
    assert data["total"] == 100
    assert data["squares"] == [0, 1, 4]
    assert data["parties"][0]["checked"] is True  # writes into task data dicts are allowed
    assert not any(name.startswith("_") for name in data)
    assert not any(callable(value) for value in data.values())


def test_execute_can_delete_and_replace_variables(env: RestrictedEnvironment) -> None:
    data = {"keep": 1, "drop": 2, "change": 3}
    env.execute("del drop\nchange = 'new'", data)
    assert data == {"keep": 1, "change": "new"}


def test_failed_script_leaves_the_variables_unchanged(env: RestrictedEnvironment) -> None:
    data = {"amount": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("total = 5\nboom = 1 / 0", data)
    assert data == {"amount": 1}


def test_evaluate_never_changes_the_context(env: RestrictedEnvironment) -> None:
    data = {"items": [1, 2], "info": {"a": 1}, "n": 3}
    before = copy.deepcopy(data)

    assert env.evaluate("(m := n + 1) > 3", data) is True
    assert env.evaluate("[x for x in items]", data) == [1, 2]
    with pytest.raises(AttributeError, match="change data"):
        env.evaluate("items.append(3)", data)
    with pytest.raises(AttributeError, match="change data"):
        env.evaluate("info.update({'b': 2})", data)
    with pytest.raises(AttributeError, match="change data"):
        env.evaluate("list.append(items, 3)", data)

    assert data == before


def test_helper_names_in_data_cannot_replace_the_guards(env: RestrictedEnvironment) -> None:
    data = {"_getattr_": "not a function", "__builtins__": {}, "x": "abc"}
    assert env.evaluate("x.upper()", data) == "ABC"
    env.execute("y = x.upper()", data)
    assert data == {"_getattr_": "not a function", "__builtins__": {}, "x": "abc", "y": "ABC"}


def test_external_context_is_readable_but_not_copied_into_data(env: RestrictedEnvironment) -> None:
    data = {"amount": 2}
    env.execute("total = amount * rate", data, {"rate": 3})
    assert data == {"amount": 2, "total": 6}
    with pytest.raises(ValueError, match="rate"):
        env.execute("x = 1", {"rate": 1}, {"rate": 3})


@pytest.mark.parametrize("isolated", [True, False])
def test_environment_globals_are_available(isolated: bool) -> None:
    # A global travels to the script process by pickle, so it must be importable there, unlike a lambda.
    env = RestrictedEnvironment(environment_globals={"double": functools.partial(operator.mul, 2)}, isolated=isolated)
    data = {"amount": 4}
    env.execute("total = double(amount)", data)
    assert data == {"amount": 4, "total": 8}
    assert env.evaluate("double(amount) == 8", data) is True


def test_a_global_that_cannot_travel_is_refused_clearly() -> None:
    env = RestrictedEnvironment(environment_globals={"double": lambda value: value * 2})
    with pytest.raises(TypeError, match="cannot be sent to the script process"):
        env.evaluate("double(2)", {})
    assert RestrictedEnvironment(environment_globals={"double": lambda value: value * 2},
                                 isolated=False).evaluate("double(2)", {}) == 4


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RestrictedEnvironment(time_limit=0)
