"""Opaque paging cursors: where the next page of a list starts.

A long list (completed work, instances, notices) pages by keyset: the cursor holds the sort key of
the last row shown, and the next page starts after it through the list's index, however deep.
A short list of active work pages by offset; its cursor holds the offset. Callers only pass the
cursor back; its content is this module's business.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from workflows.db import fits_integer
from workflows.errors import InvalidDataError
from workflows.messages import message

T = TypeVar("T")
OFFSET, KEYSET = "o", "k"


@dataclass
class Page(Generic[T]):
    """One page of a list and the cursor of the next (None on the last page)."""

    rows: list[T]
    next: str | None = None


def encode(kind: str, *values: Any) -> str:
    """A cursor of the given kind holding plain JSON values (datetimes as ISO text)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([kind, *plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad(cursor: str) -> InvalidDataError:
    invalid = message("field_cursor_invalid", cursor=repr(cursor[:40]))
    return InvalidDataError("paging_cursor_invalid", {"after": [invalid]})


def decode(cursor: str, kind: str, types: tuple[type, ...]) -> list[Any]:
    """The values of a cursor this list made; InvalidDataError for anything else."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or raw[:1] != [kind] or len(raw) != len(types) + 1:
            raise ValueError(cursor)
        return [_typed(v, t) for v, t in zip(raw[1:], types, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as err:
        raise _bad(cursor) from err


def _typed(value: Any, kind: type) -> Any:
    if kind is datetime:
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise ValueError(value)
        return at
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(value)
    if kind is int and not fits_integer(value):  # ids and offsets: a made-up number must not reach the database
        raise ValueError(value)
    return value


def offset_of(cursor: str | None, offset: int) -> int:
    """The offset an offset cursor holds, else the given one."""
    if cursor is None:
        return offset
    (at,) = decode(cursor, OFFSET, (int,))
    if at < 0:
        raise _bad(cursor)
    return at


def by_offset(rows: list[T], limit: int, offset: int) -> Page[T]:
    """A page from `limit + 1` rows read at `offset`: the extra row only says that more follow."""
    return Page(rows[:limit], encode(OFFSET, offset + limit) if len(rows) > limit else None)


def by_keyset(rows: list[T], limit: int, key: Any) -> Page[T]:
    """A page from `limit + 1` rows in keyset order; the cursor holds `key(last row shown)`."""
    if len(rows) <= limit:
        return Page(rows)
    return Page(rows[:limit], encode(KEYSET, *key(rows[limit - 1])))
