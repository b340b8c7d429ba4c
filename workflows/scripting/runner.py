"""Running compiled restricted code in this process: namespaces, builtins and the time limit."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any

from RestrictedPython import safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence

from workflows.scripting import guards
from workflows.scripting.errors import ScriptTimeoutError
from workflows.scripting.policy import FILENAME, compiled

# Removed from RestrictedPython's safe builtins: class creation, attribute writes, and
# exceptions that are not Exceptions (a script raising SystemExit would stop a worker).
_REMOVED_SAFE_BUILTINS = frozenset(
    {
        "__build_class__",
        "_getattr_",
        "BaseException",
        "GeneratorExit",
        "KeyboardInterrupt",
        "SystemExit",
        "delattr",
        "setattr",
    }
)


def _builtins() -> dict[str, Any]:
    """Safe builtins plus what business rules need, with guarded replacements."""
    allowed = {name: value for name, value in safe_builtins.items() if name not in _REMOVED_SAFE_BUILTINS}
    allowed.update(
        all=all,
        any=any,
        dict=dict,
        enumerate=enumerate,
        filter=filter,
        frozenset=frozenset,
        list=list,
        map=map,
        max=max,
        min=min,
        reversed=reversed,
        set=set,
        sorted=sorted,
        tuple=tuple,
        zip=zip,
        divmod=guards.guarded_divmod,
        pow=guards.guarded_pow,
        range=guards.guarded_range,
        round=guards.guarded_round,
        sum=guards.guarded_sum,
        # Immutable value types with no file, process or import access.
        date=date,
        datetime=datetime,
        timedelta=timedelta,
        timezone=timezone,
    )
    return allowed


_BUILTINS = _builtins()

# What a finished script changes in the task data: the variables it leaves, the names it deleted.
ScriptChanges = tuple[dict[str, Any], list[str]]


def _tick() -> None:
    """Called at the top of every while-loop body; the call lets the tracer check the time."""


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """RestrictedPython's hook for calls with ``*args`` or ``**kwargs``."""
    return function(*args, **kwargs)


def _helpers(getattr_guard: Callable[[Any, str], Any]) -> dict[str, Any]:
    """The names RestrictedPython's transformed code calls."""
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": getattr_guard,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,  # item writes into dicts and lists only
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": guards.inplacevar,
        "_apply_": _apply,
        "_tick_": _tick,
        "_add_": guards.guarded_add,
        "_mul_": guards.guarded_mul,
        "_pow_": guards.guarded_pow,
        "_lshift_": guards.guarded_lshift,
        "_mod_": guards.guarded_mod,
        "_floordiv_": guards.guarded_floordiv,
    }


_SCRIPT_HELPERS = _helpers(guards.guarded_getattr)
_EXPRESSION_HELPERS = _helpers(guards.read_only_getattr)


def _namespace(context: Mapping[str, Any], external: Mapping[str, Any], helpers: Mapping[str, Any]) -> dict[str, Any]:
    """Globals for one run: a fresh dict, so the task data dict itself is not touched."""
    namespace = dict(external)
    namespace.update(context)
    namespace.update(helpers)  # last, so data cannot replace a guard
    return namespace


def _is_leftover(name: str, value: Any, injected: Mapping[str, Any]) -> bool:
    """True for namespace entries that are not the script's own data."""
    if name.startswith("_"):  # helpers and __builtins__; scripts cannot bind such names
        return True
    # Functions, modules and lazy iterators (zip, map, generators) are not data and would
    # not serialize with the instance.
    if callable(value) or isinstance(value, (types.ModuleType, Iterator)):
        return True
    return name in injected and injected[name] is value


def script_variables(namespace: Mapping[str, Any], injected: Mapping[str, Any]) -> dict[str, Any]:
    """The variables a finished script leaves: its data, without helpers, functions and injected names."""
    return {name: value for name, value in namespace.items() if not _is_leftover(name, value, injected)}


def copy_back(context: dict[str, Any], changes: ScriptChanges) -> None:
    """Make context hold the script's variables: new, changed and deleted ones."""
    variables, deleted = changes
    for name in deleted:
        context.pop(name, None)
    context.update(variables)


class _Deadline:
    """A trace function raising ScriptTimeoutError once the deadline has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds

    def __call__(self, frame: types.FrameType, event: str, arg: Any) -> _Deadline | None:
        if time.monotonic() > self.expires_at:
            raise ScriptTimeoutError("script_timeout", seconds=f"{round(self.seconds, 2):g}")
        # Trace the lines of restricted code only: guards and helpers are short, and
        # tracing their lines too would make every guarded operation several times slower.
        return self if frame.f_code.co_filename == FILENAME else None


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Trace the restricted code (per thread, unlike signal.alarm); restore the old tracer."""
    previous = sys.gettrace()
    sys.settrace(_Deadline(seconds))
    try:
        yield
    finally:
        sys.settrace(previous)


def evaluate(expression: str, context: Mapping[str, Any], external: Mapping[str, Any], seconds: float) -> Any:
    """Evaluate a restricted expression over the data in this process; the data is not changed."""
    code = compiled("eval", expression)
    namespace = _namespace(context, external, _EXPRESSION_HELPERS)
    with time_limit(seconds):
        return eval(code, namespace)


def execute(script: str, context: Mapping[str, Any], external: Mapping[str, Any], seconds: float) -> ScriptChanges:
    """Run a restricted script over the data in this process; return the variables it leaves and those it deleted."""
    code = compiled("exec", script)
    namespace = _namespace(context, external, _SCRIPT_HELPERS)
    with time_limit(seconds):
        exec(code, namespace)
    return script_variables(namespace, external), [name for name in context if name not in namespace]
