"""What the application and its script process say to each other: framed pickles, and errors by name.

Requests go from the application to the script process and are trusted there. Replies come
back from the process that ran diagram code, so they are read with an unpickler that builds
data values only: were the sandbox ever escaped, a reply still could not make the
application import or call anything.
"""

from __future__ import annotations

import builtins
import io
import pickle
import struct
from typing import Any

from workflows.scripting.errors import RestrictedCodeError, ScriptLimitError, ScriptTimeoutError, UnstorableDataError

HEADER = struct.Struct("!I")  # the length of the pickle that follows
READY = b"R"  # sent once by a script process when it is ready to serve
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL

# A reply: ("ok", value) or ("error", exception type name, exception args, failing script line or 0);
# "fatal" instead of "error" when the script process ends after answering (it ran out of memory).
Reply = tuple[Any, ...]

# What a reply may build besides the pickle protocol's own containers and scalars.
_DATA_CLASSES = frozenset(
    {
        ("builtins", "complex"),
        ("builtins", "frozenset"),
        ("builtins", "range"),
        ("builtins", "set"),
        ("builtins", "slice"),
        ("builtins", "bytearray"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
    }
)

_SCRIPT_ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls for cls in (RestrictedCodeError, ScriptLimitError, ScriptTimeoutError, UnstorableDataError)
}
_BUILTIN_ERRORS: dict[str, type[Exception]] = {
    name: value for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception)
}
_OTHER_ERRORS: dict[str, type[Exception]] = {}


class ScriptError(Exception):
    """An error of a type the application does not define, raised by code in the script process."""


class _DataUnpickler(pickle.Unpickler):
    """An unpickler that refuses every class outside _DATA_CLASSES."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _DATA_CLASSES:
            raise pickle.UnpicklingError(f"a value of type {module}.{name} cannot leave the script")
        return super().find_class(module, name)


def frame(message: Any) -> bytes:
    """The bytes that carry one message: its length, then its pickle."""
    body = pickle.dumps(message, protocol=PICKLE_PROTOCOL)
    return HEADER.pack(len(body)) + body


def read_reply(body: bytes) -> Reply:
    """A reply from the script process, built from data classes only."""
    return _DataUnpickler(io.BytesIO(body)).load()


def error_reply(error: BaseException, line: int) -> Reply:
    """The reply that carries an exception: its type's name, its simple arguments, the script line."""
    simple = all(isinstance(arg, str | int | float | bytes | None) for arg in error.args)
    return ("error", type(error).__name__, error.args if simple else (str(error),), line)


def rebuild_error(name: str, args: tuple[Any, ...], line: int) -> Exception:
    """The exception an error reply describes, as the same type where the application knows it."""
    cls = _SCRIPT_ERRORS.get(name) or _BUILTIN_ERRORS.get(name) or _other_error(name)
    try:
        error = cls(*args)
    except Exception:  # noqa: BLE001 - a builtin type that wants other arguments: keep the text
        error = _other_error(name)(*map(str, args))
    error.script_line = line  # type: ignore[attr-defined]  # read by the engine for its error report
    return error


def _other_error(name: str) -> type[Exception]:
    """A ScriptError subclass bearing the original type's name, so reports still name it."""
    if not name.isidentifier():
        name = "ScriptError"
    if name not in _OTHER_ERRORS:
        _OTHER_ERRORS[name] = type(name, (ScriptError,), {"__module__": __name__})
    return _OTHER_ERRORS[name]
