"""Restricted Python for diagram conditions and scripts (DESIGN.md, "Security facts").

Diagrams are data uploaded by users, so their expressions and scripts run through
RestrictedPython instead of plain ``eval``/``exec``: no imports, no dunder access, a
small set of builtins, guarded attribute, item and iteration access, and a time limit
that works in any thread.  Compiled code is cached by (mode, text).
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import sys
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

__all__ = [
    "MAX_INT_BITS",
    "MAX_RANGE_LENGTH",
    "MAX_SEQUENCE_LENGTH",
    "RestrictedCodeError",
    "RestrictedEnvironment",
    "ScriptLimitError",
    "ScriptTimeoutError",
    "check_expression",
    "check_script",
    "make_script_engine",
]

# Single C-level operations cannot be interrupted by the time limit, so the ones that
# can build huge results are refused up front.  Business rules need nothing near these.
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_SEQUENCE_LENGTH = 10_000_000  # items of a list/tuple, characters of a string
MAX_RANGE_LENGTH = 1_000_000
MAX_ROUND_DIGITS = 1_000  # round(1, -10**7) computes 10**(10**7)

# The engine looks for this file name in tracebacks to report the failing script line.
_FILENAME = "<string>"
_COMPILE_CACHE_SIZE = 4096


class ScriptLimitError(RuntimeError):
    """Restricted code asked for more time or memory than it is allowed."""


class ScriptTimeoutError(ScriptLimitError):
    """An expression or script ran past its time limit."""


class RestrictedCodeError(ValueError):
    """The text does not compile as restricted Python (syntax or policy violation)."""


# ---------------------------------------------------------------------------
# Compile-time policy
# ---------------------------------------------------------------------------

# Calls rejected by name.  A data field may be called e.g. "open" or "type", so only
# calls are refused: data values are never callable.  None of these are builtins here.
_DENIED_CALLS = frozenset(
    {
        "breakpoint",
        "classmethod",
        "compile",
        "delattr",
        "dir",
        "exit",
        "getattr",
        "globals",
        "hasattr",
        "help",
        "input",
        "locals",
        "memoryview",
        "object",
        "open",
        "property",
        "quit",
        "setattr",
        "staticmethod",
        "super",
        "type",
        "vars",
    }
)

# Operators whose results can be huge are rewritten into calls of run-time guards.
_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}

# A format width or precision of six digits or more (or, in %-formats, one taken from
# the arguments with "*").
_WIDE_FORMAT_SPEC = re.compile(r"\d{6,}")
_WIDE_PERCENT_FORMAT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{6,}|\d*\.(?:\*|\d{6,}))")


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, tightened for business rules in diagrams."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> ast.AST:  # noqa: N802
        self.error(node, "imports are not allowed")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:  # noqa: N802
        return self.visit_Import(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802
        self.error(node, "class definitions are not allowed")
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:  # noqa: N802
        # A handler or finally block could swallow the time limit and run on untraced.
        self.error(node, "try statements are not allowed")
        return node

    def visit_With(self, node: ast.With) -> ast.AST:  # noqa: N802
        self.error(node, "with statements are not allowed")
        return node

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802
        # Output would go nowhere; RestrictedPython would also leave a collector behind.
        if isinstance(node.ctx, ast.Load) and node.id in ("print", "printed"):
            self.error(node, f"{node.id} is not available; assign the value to a variable instead")
            return node
        return super().visit_Name(node)

    def visit_Call(self, node: ast.Call) -> Any:  # noqa: N802
        if isinstance(node.func, ast.Name) and node.func.id in _DENIED_CALLS:
            self.error(node, f"{node.func.id}() is not allowed")
        return super().visit_Call(node)

    def visit_While(self, node: ast.While) -> Any:  # noqa: N802
        # "while True: pass" compiles to a jump onto itself, which raises no trace
        # event; a call at the top of every loop body gives the time limit a chance.
        node = super().visit_While(node)
        tick = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
        for new_node in (tick, tick.value, tick.value.func):
            copy_locations(new_node, node)
        node.body.insert(0, tick)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPERATORS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:  # noqa: N802
        # f"{x:>99999999}" pads in C, beyond the reach of the time limit.
        if node.format_spec is not None and _is_wide_format_spec(node.format_spec):
            self.error(node, "format widths must be literal and below 100000")
        return super().visit_FormattedValue(node)


def _is_wide_format_spec(spec: ast.expr) -> bool:
    """True if an f-string format spec is computed or asks for a huge width."""
    parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
    for part in parts:
        if not isinstance(part, ast.Constant):
            return True
        if _WIDE_FORMAT_SPEC.search(str(part.value)):
            return True
    return False


@functools.lru_cache(maxsize=_COMPILE_CACHE_SIZE)
def _compile(mode: str, text: str) -> tuple[types.CodeType | None, tuple[str, ...]]:
    """Compile restricted code once per (mode, text); return the code or the errors."""
    if mode == "eval":
        compiler = compile_restricted_eval
        text = text.strip()  # like eval(), tolerate the whitespace XML puts around text
    else:
        compiler = compile_restricted_exec
    try:
        result = compiler(text, filename=_FILENAME, policy=_Policy)
    except (SyntaxError, ValueError) as error:  # raised by compile(), after the policy ran
        return None, (f"Line {getattr(error, 'lineno', None)}: {getattr(error, 'msg', error)}",)
    except RecursionError:
        return None, ("the code is nested too deeply",)
    return result.code, tuple(dict.fromkeys(result.errors))


def _check(mode: str, text: Any) -> list[str]:
    if not isinstance(text, str):
        return [f"expected text, got {type(text).__name__}"]
    return list(_compile(mode, text)[1])


def check_expression(text: str) -> list[str]:
    """Return [] if text compiles as a restricted expression, else readable error messages."""
    return _check("eval", text)


def check_script(text: str) -> list[str]:
    """Return [] if text compiles as a restricted script, else readable error messages."""
    return _check("exec", text)


def _compiled(mode: str, text: str) -> types.CodeType:
    """The cached code for text, or RestrictedCodeError listing why it is refused."""
    errors = _check(mode, text)
    if errors:
        raise RestrictedCodeError("; ".join(errors))
    code = _compile(mode, text)[0]
    assert code is not None  # no errors means RestrictedPython produced code
    return code


# ---------------------------------------------------------------------------
# Run-time guards
# ---------------------------------------------------------------------------

_SEQUENCES = (str, bytes, list, tuple)
_TEXT = (str, bytes)


def _check_size(size: int, what: str, limit: int = MAX_SEQUENCE_LENGTH) -> None:
    if size > limit:
        raise ScriptLimitError(f"{what} would have {size:,} elements; the limit is {limit:,}")


def _check_int_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptLimitError(f"{what} would be a number of about {bits:,} bits; the limit is {MAX_INT_BITS:,}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _check_repetition(sequence: Any, count: Any) -> None:
    if isinstance(sequence, _SEQUENCES) and _is_int(count):
        _check_size(len(sequence) * count, "repetition")


def _guarded_mul(left: Any, right: Any) -> Any:
    """left * right, refusing huge repetitions and products."""
    _check_repetition(left, right)
    _check_repetition(right, left)
    if _is_int(left) and _is_int(right):
        _check_int_bits(left.bit_length() + right.bit_length(), "the product")
    return left * right


def _guarded_imul(left: Any, right: Any) -> Any:
    """left *= right, keeping the in-place semantics of lists."""
    if isinstance(left, list):
        _check_repetition(left, right)
        return operator.imul(left, right)
    return _guarded_mul(left, right)


def _check_concatenation(left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_size(len(left) + len(right), "concatenation")


def _guarded_add(left: Any, right: Any) -> Any:
    """left + right, refusing huge concatenations."""
    _check_concatenation(left, right)
    return left + right


def _guarded_iadd(left: Any, right: Any) -> Any:
    _check_concatenation(left, right)
    return operator.iadd(left, right)


def _guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    """base ** exponent (or pow with a modulus), refusing integers too large to compute."""
    if modulus is not None:
        return pow(base, exponent, modulus)  # modular powers stay small
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        _check_int_bits(abs(base).bit_length() * exponent, "the power")
    return base**exponent


def _guarded_lshift(value: Any, shift: Any) -> Any:
    """value << shift, refusing integers too large to compute."""
    if _is_int(value) and _is_int(shift) and value and shift > 0:
        _check_int_bits(value.bit_length() + shift, "the shift")
    return value << shift


def _guarded_mod(left: Any, right: Any) -> Any:
    """left % right, refusing %-formats that pad to huge widths."""
    if isinstance(left, str) and _WIDE_PERCENT_FORMAT.search(left):
        raise ScriptLimitError("%-format widths must be literal and below 100000")
    if isinstance(left, bytes) and _WIDE_PERCENT_FORMAT.search(left.decode("latin-1")):
        raise ScriptLimitError("%-format widths must be literal and below 100000")
    return left % right


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": _guarded_iadd,
    "-=": operator.isub,
    "*=": _guarded_imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": _guarded_mod,
    "**=": _guarded_pow,
    "<<=": _guarded_lshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    """RestrictedPython's hook for ``name op= value``."""
    return _INPLACE_OPERATORS[op](target, value)


def _tick() -> None:
    """Called at the top of every while-loop body; the call lets the tracer check the time."""


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """RestrictedPython's hook for calls with ``*args`` or ``**kwargs``."""
    return function(*args, **kwargs)


def _guarded_range(*args: int) -> range:
    """range() limited to MAX_RANGE_LENGTH elements."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:  # longer than a C ssize_t can count
        size = sys.maxsize
    _check_size(size, "range()", MAX_RANGE_LENGTH)
    return numbers


def _guarded_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """sum() of numbers only: summing lists or strings is quadratic and runs in C."""
    if isinstance(start, (*_SEQUENCES, bytearray)):
        raise TypeError("sum() adds numbers only; use a comprehension to join sequences")
    return sum(iterable, start)


def _guarded_round(number: Any, ndigits: Any = None) -> Any:
    """round() with a bounded number of digits."""
    if _is_int(ndigits) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ScriptLimitError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return round(number, ndigits)


# String methods that can build huge strings in one C call get checked wrappers.
def _padded(method: str) -> Callable[..., Any]:
    def guarded(text: Any, width: Any, *args: Any) -> Any:
        if _is_int(width):
            _check_size(width, f"{method}()")
        return getattr(text, method)(width, *args)

    return guarded


def _guarded_replace(text: Any, old: Any, new: Any, count: Any = -1) -> Any:
    if isinstance(old, type(text)) and isinstance(new, type(text)) and _is_int(count):
        matches = len(text) + 1 if not old else text.count(old)
        if count >= 0:
            matches = min(matches, count)
        _check_size(len(text) + matches * (len(new) - len(old)), "replace()")
    return text.replace(old, new, count)


def _guarded_join(text: Any, iterable: Iterable[Any]) -> Any:
    items = list(iterable)
    if all(isinstance(item, _SEQUENCES) for item in items):
        _check_size(sum(map(len, items)) + len(text) * max(len(items) - 1, 0), "join()")
    return text.join(items)


_TEXT_METHOD_GUARDS: dict[str, Callable[..., Any]] = {
    "center": _padded("center"),
    "ljust": _padded("ljust"),
    "rjust": _padded("rjust"),
    "zfill": _padded("zfill"),
    "replace": _guarded_replace,
    "join": _guarded_join,
}
_DENIED_TEXT_METHODS = frozenset({"expandtabs", "format", "format_map", "maketrans", "translate"})

# Expressions only read data: these methods would change the task data in place.
_MUTATING_METHODS = frozenset(
    {
        "add",
        "append",
        "clear",
        "difference_update",
        "discard",
        "extend",
        "insert",
        "intersection_update",
        "pop",
        "popitem",
        "remove",
        "reverse",
        "setdefault",
        "sort",
        "symmetric_difference_update",
        "update",
    }
)
_CONTAINERS = (list, dict, set)


def _text_attribute(obj: Any, name: str) -> Any:
    """A guarded str/bytes method, or None when the attribute needs no guard."""
    if name in _DENIED_TEXT_METHODS:
        raise AttributeError(f"'{name}' is not available in scripts")
    guard = _TEXT_METHOD_GUARDS.get(name)
    if guard is None:
        return None
    if isinstance(obj, type):  # str.join(sep, items) would bypass the wrapper
        raise TypeError(f"call '{name}' on a value, not on the type")
    return functools.partial(guard, obj)


def _guarded_getattr(obj: Any, name: str) -> Any:
    """Attribute access for restricted code: no '_' names, checked string methods."""
    if isinstance(obj, _TEXT) or any(obj is kind for kind in _TEXT):
        guarded = _text_attribute(obj, name)
        if guarded is not None:
            return guarded
    return safer_getattr_raise(obj, name)


def _read_only_getattr(obj: Any, name: str) -> Any:
    """Attribute access for expressions, which must not change the task data."""
    if name in _MUTATING_METHODS and (isinstance(obj, _CONTAINERS) or any(obj is kind for kind in _CONTAINERS)):
        raise AttributeError(f"'{name}' would change data, which an expression may not do")
    return _guarded_getattr(obj, name)


# ---------------------------------------------------------------------------
# Namespaces
# ---------------------------------------------------------------------------

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
        pow=_guarded_pow,
        range=_guarded_range,
        round=_guarded_round,
        sum=_guarded_sum,
        # Immutable value types with no file, process or import access.
        date=date,
        datetime=datetime,
        timedelta=timedelta,
        timezone=timezone,
    )
    return allowed


_BUILTINS = _builtins()


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
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_tick_": _tick,
        "_add_": _guarded_add,
        "_mul_": _guarded_mul,
        "_pow_": _guarded_pow,
        "_lshift_": _guarded_lshift,
        "_mod_": _guarded_mod,
    }


_SCRIPT_HELPERS = _helpers(_guarded_getattr)
_EXPRESSION_HELPERS = _helpers(_read_only_getattr)


def _is_leftover(name: str, value: Any, injected: Mapping[str, Any]) -> bool:
    """True for namespace entries that are not the script's own data."""
    if name.startswith("_"):  # helpers and __builtins__; scripts cannot bind such names
        return True
    # Functions, modules and lazy iterators (zip, map, generators) are not data and would
    # not serialize with the instance.
    if callable(value) or isinstance(value, (types.ModuleType, Iterator)):
        return True
    return name in injected and injected[name] is value


def _copy_back(context: dict[str, Any], namespace: dict[str, Any], injected: Mapping[str, Any]) -> None:
    """Make context hold the script's variables: new, changed and deleted ones."""
    for name in [name for name in context if name not in namespace]:
        del context[name]  # the script deleted it
    for name, value in namespace.items():
        if not _is_leftover(name, value, injected):
            context[name] = value


# ---------------------------------------------------------------------------
# Time limit
# ---------------------------------------------------------------------------


class _Deadline:
    """A trace function raising ScriptTimeoutError once the deadline has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds

    def __call__(self, frame: types.FrameType, event: str, arg: Any) -> _Deadline | None:
        if time.monotonic() > self.expires_at:
            raise ScriptTimeoutError(f"stopped after running longer than {self.seconds:g} s")
        # Trace the lines of restricted code only: guards and helpers are short, and
        # tracing their lines too would make every guarded operation several times slower.
        return self if frame.f_code.co_filename == _FILENAME else None


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Trace the restricted code (per thread, unlike signal.alarm); restore the old tracer."""
    previous = sys.gettrace()
    sys.settrace(_Deadline(seconds))
    try:
        yield
    finally:
        sys.settrace(previous)


# ---------------------------------------------------------------------------
# Environment and engine
# ---------------------------------------------------------------------------


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs RestrictedPython under a time limit."""

    def __init__(self, time_limit: float = 1.0, environment_globals: dict[str, Any] | None = None) -> None:
        super().__init__(environment_globals)
        if time_limit <= 0:
            raise ValueError("time_limit must be positive")
        self.time_limit = time_limit

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> Any:
        """Evaluate a restricted expression over the task data; the data is not changed."""
        code = _compiled("eval", expression)
        namespace = self._namespace(context, external_context, _EXPRESSION_HELPERS)
        with _time_limit(self.time_limit):
            return eval(code, namespace)

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run a restricted script; its variables become task data, nothing else does."""
        external_context = external_context or {}
        self._check_for_overwrite(context, external_context)
        code = _compiled("exec", script)
        namespace = self._namespace(context, external_context, _SCRIPT_HELPERS)
        with _time_limit(self.time_limit):
            exec(code, namespace)
        # Only a script that finished changes the data (besides objects it mutated in place).
        _copy_back(context, namespace, {**self.globals, **external_context})
        return True

    def _namespace(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None, helpers: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Globals for one run: a fresh dict, so the task data dict itself is not touched."""
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        namespace.update(helpers)  # last, so data cannot replace a guard
        return namespace

    def _check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """Fail clearly when task data hides a provided name (as TaskDataEnvironment does)."""
        clashes = (set(self.globals) | set(external_context)) & set(context)
        if clashes:
            raise ValueError(
                f"task data overwrites predefined names; rename these fields: {', '.join(sorted(clashes))}"
            )


def make_script_engine(time_limit: float = 1.0) -> PythonScriptEngine:
    """A SpiffWorkflow script engine whose conditions and scripts run restricted."""
    return PythonScriptEngine(environment=RestrictedEnvironment(time_limit=time_limit))
