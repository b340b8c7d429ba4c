"""Objects handed to output schemas together with the related rows a view loaded for them."""

from __future__ import annotations

from typing import Any


class WithRelated:
    """The object's own attributes, plus the named related values (which win over the object's)."""

    def __init__(self, obj: Any, **related: Any) -> None:
        self._obj = obj
        vars(self).update(related)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)
