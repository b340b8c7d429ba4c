"""Diagram code: compiled once, cheap when cached, and the engine's script engine is the restricted one."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests import test_scripting
from workflows.scripting import (
    RestrictedEnvironment,
    check_expression,
    make_script_engine,
    policy,
)

env = test_scripting.env  # the original module's fixture, under its name

# ---------------------------------------------------------------------------
# Compile cache
# ---------------------------------------------------------------------------


def test_an_expression_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    env = RestrictedEnvironment(isolated=False)  # the script process has a cache of its own, built the same way
    calls: list[str] = []
    real = policy.compile_restricted_eval

    def counting(source: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(policy, "compile_restricted_eval", counting)
    expression = f"amount > 10 and note != {uuid.uuid4().hex!r}"  # never compiled before

    for amount in range(20):
        env.evaluate(expression, {"amount": amount, "note": ""})
    assert check_expression(expression) == []

    assert calls == [expression]


def test_a_script_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    env = RestrictedEnvironment(isolated=False)
    calls: list[str] = []
    real = policy.compile_restricted_exec

    def counting(source: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(policy, "compile_restricted_exec", counting)
    script = f"tag = {uuid.uuid4().hex!r}\ntotal = amount * 2"

    for amount in range(5):
        env.execute(script, {"amount": amount})

    assert calls == [script]


def test_cached_evaluation_is_cheap(env: RestrictedEnvironment) -> None:
    data = {"approval": "approve", "amount": 60000, "ip_type": "patent"}
    expression = 'approval == "approve" and amount > 50000 and ip_type in ("trademark", "patent")'
    env.evaluate(expression, data)
    started = time.perf_counter()
    for _ in range(1000):
        env.evaluate(expression, data)
    # Typically a few microseconds each; the bound only catches recompiling every time.
    assert time.perf_counter() - started < 1.0


def test_make_script_engine_uses_the_restricted_environment() -> None:
    engine = make_script_engine(time_limit=0.5)
    assert isinstance(engine.environment, RestrictedEnvironment)
    assert engine.environment.time_limit == 0.5


def test_dates_in_data_can_be_compared(env: RestrictedEnvironment) -> None:
    data = {"filed": date(2024, 3, 1)}
    assert env.evaluate("filed + timedelta(days=30) > date(2024, 3, 15)", data) is True
    env.execute("due = filed + timedelta(days=30)", data)
    assert data["due"] == date(2024, 3, 1) + timedelta(days=30)
