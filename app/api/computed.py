"""Output fields whose value a function reads from the object, documented with the field's own type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import fields
from marshmallow.utils import missing

F = TypeVar("F", bound=fields.Field)


def computed(field: F, read: Callable[[Any], Any]) -> F:
    """The field (read-only), its value `read(obj)` instead of an attribute.

    Unlike `fields.Function`, the document shows the field's type (`computed(fields.String(allow_none=True),
    ...)` is a nullable string), and nested schemas and lists dump as they do elsewhere.
    """
    def get_value(obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return read(obj)

    field.get_value = get_value  # type: ignore[method-assign]
    field.dump_only = True
    return field
