"""Run-time guards: operations that could build huge values in one C call are checked first."""

from __future__ import annotations

import functools
import operator
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.Guards import safer_getattr_raise

from workflows.messages import Message, message
from workflows.scripting.errors import ScriptLimitError

# Single C-level operations cannot be interrupted by the time limit, so the ones that
# can build huge results are refused up front.  Business rules need nothing near these.
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_SEQUENCE_LENGTH = 10_000_000  # items of a list/tuple, characters of a string
MAX_RANGE_LENGTH = 1_000_000
MAX_ROUND_DIGITS = 1_000  # round(1, -10**7) computes 10**(10**7)
# pow(base, exponent, modulus) squares and reduces once per exponent bit: bound exponent bits x modulus bits.
MAX_MODULAR_POW_WORK = 2**24  # e.g. a 4,096-bit exponent and modulus, some 50 ms

# A %-format width or precision of six digits or more, or one taken from the arguments with "*".
_WIDE_PERCENT_FORMAT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{6,}|\d*\.(?:\*|\d{6,}))")

_SEQUENCES = (str, bytes, list, tuple)
_TEXT = (str, bytes)
# Operations a refusal names in words (the others by their operator or function name).
_REPETITION, _CONCATENATION = message("script_repetition"), message("script_concatenation")


def _check_size(size: int, what: str | Message, limit: int = MAX_SEQUENCE_LENGTH) -> None:
    if size > limit:
        raise ScriptLimitError("script_too_many_elements", what=what, size=f"{size:,}", limit=f"{limit:,}")


def _check_int_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise ScriptLimitError("script_number_too_large", what=what, bits=f"{bits:,}", limit=f"{MAX_INT_BITS:,}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _check_int_operands(what: str, *values: Any) -> None:
    """Division and remainder are quadratic in C: refuse them on numbers past MAX_INT_BITS.

    Building such a number is linear and allowed (int(text, 2), int.from_bytes); doing
    arithmetic on it is not (a 10-million-bit remainder held a server for 128 s).
    """
    bits = max((value.bit_length() for value in values if _is_int(value)), default=0)
    if bits > MAX_INT_BITS:
        raise ScriptLimitError("script_operand_too_large", what=what, bits=f"{bits:,}", limit=f"{MAX_INT_BITS:,}")


def _check_repetition(sequence: Any, count: Any) -> None:
    if isinstance(sequence, _SEQUENCES) and _is_int(count):
        _check_size(len(sequence) * count, _REPETITION)


def guarded_mul(left: Any, right: Any) -> Any:
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
    return guarded_mul(left, right)


def _check_concatenation(left: Any, right: Any) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_size(len(left) + len(right), _CONCATENATION)


def guarded_add(left: Any, right: Any) -> Any:
    """left + right, refusing huge concatenations."""
    _check_concatenation(left, right)
    return left + right


def _guarded_iadd(left: Any, right: Any) -> Any:
    _check_concatenation(left, right)
    return operator.iadd(left, right)


def guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    """base ** exponent (or pow with a modulus), refusing integers too large to compute."""
    if modulus is not None:
        _check_int_operands("pow()", base, exponent, modulus)
        if _is_int(exponent) and _is_int(modulus):
            work = abs(exponent).bit_length() * abs(modulus).bit_length()
            if work > MAX_MODULAR_POW_WORK:
                raise ScriptLimitError("script_pow_too_long", function="pow()", work=f"{work:,}",
                                       limit=f"{MAX_MODULAR_POW_WORK:,}")
        return pow(base, exponent, modulus)
    _check_int_operands("**", base)
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        _check_int_bits(abs(base).bit_length() * exponent, "the power")
    return base**exponent


def guarded_lshift(value: Any, shift: Any) -> Any:
    """value << shift, refusing integers too large to compute."""
    if _is_int(value) and _is_int(shift) and value and shift > 0:
        _check_int_bits(value.bit_length() + shift, "the shift")
    return value << shift


def guarded_floordiv(left: Any, right: Any) -> Any:
    """left // right, refusing numbers too large to divide."""
    _check_int_operands("//", left, right)
    return left // right


def guarded_divmod(left: Any, right: Any) -> Any:
    """divmod(left, right), refusing numbers too large to divide."""
    _check_int_operands("divmod()", left, right)
    return divmod(left, right)


def guarded_mod(left: Any, right: Any) -> Any:
    """left % right, refusing huge numbers and %-formats that pad to huge widths."""
    _check_int_operands("%", left, right)
    if isinstance(left, str) and _WIDE_PERCENT_FORMAT.search(left):
        raise ScriptLimitError("script_format_width", what="%-format", limit=100000)
    if isinstance(left, bytes) and _WIDE_PERCENT_FORMAT.search(left.decode("latin-1")):
        raise ScriptLimitError("script_format_width", what="%-format", limit=100000)
    return left % right


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": _guarded_iadd,
    "-=": operator.isub,
    "*=": _guarded_imul,
    "/=": operator.itruediv,
    "//=": guarded_floordiv,
    "%=": guarded_mod,
    "**=": guarded_pow,
    "<<=": guarded_lshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}


def inplacevar(op: str, target: Any, value: Any) -> Any:
    """RestrictedPython's hook for ``name op= value``."""
    return _INPLACE_OPERATORS[op](target, value)


def guarded_range(*args: int) -> range:
    """range() limited to MAX_RANGE_LENGTH elements."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:  # longer than a C ssize_t can count
        size = sys.maxsize
    _check_size(size, "range()", MAX_RANGE_LENGTH)
    return numbers


def guarded_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """sum() of numbers only: summing lists or strings is quadratic and runs in C."""
    if isinstance(start, (*_SEQUENCES, bytearray)):
        raise TypeError("sum() adds numbers only; use a comprehension to join sequences")
    return sum(iterable, start)


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    """round() with a bounded number of digits."""
    if _is_int(ndigits) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ScriptLimitError("script_round_digits", function="round()", limit=MAX_ROUND_DIGITS)
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


def _guarded_to_bytes(number: int, length: Any = 1, *args: Any, **kwargs: Any) -> bytes:
    if _is_int(length):
        _check_size(length, "to_bytes()")
    return number.to_bytes(length, *args, **kwargs)


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


def guarded_getattr(obj: Any, name: str) -> Any:
    """Attribute access for restricted code: no '_' names, checked string methods."""
    if isinstance(obj, _TEXT) or any(obj is kind for kind in _TEXT):
        guarded = _text_attribute(obj, name)
        if guarded is not None:
            return guarded
    if name == "to_bytes" and (_is_int(obj) or obj is int):
        return functools.partial(_guarded_to_bytes, obj) if _is_int(obj) else _guarded_to_bytes
    return safer_getattr_raise(obj, name)


def read_only_getattr(obj: Any, name: str) -> Any:
    """Attribute access for expressions, which must not change the task data."""
    if name in _MUTATING_METHODS and (isinstance(obj, _CONTAINERS) or any(obj is kind for kind in _CONTAINERS)):
        raise AttributeError(f"'{name}' would change data, which an expression may not do")
    return guarded_getattr(obj, name)
