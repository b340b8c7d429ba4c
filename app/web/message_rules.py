"""Translating the English messages of workflows/ and its libraries for the pages, one rule each.

A rule matches a whole message and builds its translation from the values inside it (ids, names,
library text), so those are carried over. A message no rule matches is shown as it is: a new
message is never lost, only left untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def rule(pattern: str, make: Callable[[re.Match[str]], str]) -> Rule:
    """A rule for the messages that match pattern as a whole; make builds the translation."""
    return re.compile(f"^{pattern}$"), make


def translate(rules: list[Rule], message: str) -> str:
    """The message as the first rule matching it translates it, else as it is."""
    for pattern, make in rules:
        found = pattern.match(message)
        if found:
            return make(found)
    return message
