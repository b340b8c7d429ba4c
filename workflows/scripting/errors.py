"""Why restricted code was refused or stopped."""

from __future__ import annotations


class RestrictedCodeError(ValueError):
    """The text does not compile as restricted Python (syntax or policy violation)."""


class ScriptLimitError(RuntimeError):
    """Restricted code asked for more time or memory than it is allowed."""


class ScriptTimeoutError(ScriptLimitError):
    """An expression or script ran past its time limit."""


class UnstorableDataError(ValueError):
    """Task data holds a value the instance state cannot store (a type, a depth or a size)."""
