"""Why restricted code was refused or stopped."""

from __future__ import annotations

import json
from typing import Any

from workflows.messages import message


class RestrictedCodeError(ValueError):
    """The text does not compile as restricted Python (syntax or policy violation)."""


class ScriptLimitError(RuntimeError):
    """Restricted code asked for more time or memory than it is allowed: a message code and its values.

    Its args are the English text (first, as the engine's own reports read it), the code and the values
    as JSON text: simple values, so the error crosses the script process's pipe and is rebuilt the same
    (workflows.scripting.protocol.rebuild_error).
    """

    def __init__(self, code: str, *rebuilt: str, **params: Any) -> None:
        # Rebuilt from (English, code, values) as they crossed the pipe, else raised here.
        found = message(rebuilt[0], **json.loads(rebuilt[1])) if rebuilt else message(code, **params)
        super().__init__(found.english, found.code, json.dumps(found.params, ensure_ascii=False))
        self.message = found

    def __str__(self) -> str:
        return self.message.english


class ScriptTimeoutError(ScriptLimitError):
    """An expression or script ran past its time limit."""


class UnstorableDataError(ValueError):
    """Task data holds a value the instance state cannot store (a type, a depth or a size)."""
