"""The hash chain over the audit trail: what an event's hash covers, and how a transaction extends the chain.

Every event has a place `chain_seq` (1, 2, 3, ... without gaps) and a `hash`: SHA-256 over a canonical
text of its content and the previous event's hash (`GENESIS` before the first). Changing a stored
field breaks that event's hash; deleting a row leaves a gap; rewriting the chain from some event on
changes the head, which an installation keeps outside the database (README, "Audit trail").

One chain, extended by every server process and timer worker: a transaction links its events at
its real COMMIT (workflows/audit/recording.py) under a lock that serialises extension, so two
transactions never link to the same predecessor (`chain_seq` is unique besides). On PostgreSQL the
lock is a transaction-level advisory lock, held from reading the head until COMMIT; SQLite's
transactions hold the database's write lock from BEGIN already. The only row locks taken while
holding it are the key-share locks of the events' foreign keys, which conflict with no lock the
application takes on a row it has not locked itself (events name a case only under the case's
FOR UPDATE lock), so waiting for the chain cannot close a circle of waits.

The format of the hashed text is part of the stored data: changing it means a migration that links
every event again (as the one that introduced the chain did).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select, text

from workflows.models import AuditEvent

GENESIS = "0" * 64  # the "previous hash" of the first event
# pg_advisory_xact_lock key of chain extension: any constant no other code uses ("XTAU" in ASCII).
CHAIN_LOCK_KEY = 0x58544155
# PostgreSQL: take the lock and read the head in one round trip (a function the chain's migration creates).
_LOCKED_HEAD = text("SELECT head_seq, head_hash, head_at FROM audit_chain_head_locked(:key)")
_HEAD = (select(AuditEvent.chain_seq, AuditEvent.hash, AuditEvent.occurred_at)
         .order_by(AuditEvent.chain_seq.desc()).limit(1))
# The stored fields an event's hash covers, besides its place and the previous hash. The row id is
# not among them: PostgreSQL assigns it in the INSERT, after the hash is computed.
CONTENT = ("occurred_at", "actor_id", "agency_id", "instance_id", "work_item_id", "type", "payload")


@dataclass(frozen=True)
class Head:
    """The last event of the chain: what an installation writes down outside the database."""

    seq: int
    hash: str
    occurred_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the log line and `flask audit-head`."""
        return {"seq": self.seq, "hash": self.hash, "occurred_at": self.occurred_at.isoformat()}


def _number(value: int | float) -> str:
    """A number as digits and exponent without trailing zeros: 100, 100.0 and 1e2 give one text.

    PostgreSQL's jsonb keeps numbers as decimals (1e20 comes back as 100000000000000000000, 1.0 as
    1.0, -0.0 as 0), so the hash must not depend on how Python wrote the number.
    """
    if not math.isfinite(value):
        raise ValueError("audit payloads hold finite numbers only")
    sign, digits, exponent = (Decimal(value) if isinstance(value, int) else Decimal(repr(value))).as_tuple()
    assert isinstance(exponent, int)
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        return "0"
    return f"{'-' if sign else ''}{''.join(map(str, digits))}e{exponent}"


def canonical(value: Any) -> str:
    """Canonical JSON text of a stored value: sorted keys, no spaces, numbers by `_number`, UTF-8 as is."""
    if value is None or isinstance(value, bool | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical(v)}" for k, v in items) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, datetime):
        return json.dumps(utc_text(value))
    raise TypeError(f"an audit event cannot hold {type(value).__name__}")


def utc_text(moment: datetime) -> str:
    """A moment as UTC ISO 8601 with microseconds: 2026-12-05T02:00:00.000000+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(seq: int, fields: Mapping[str, Any], previous: str) -> str:
    """The hash of an event at place `seq` with its CONTENT fields, after the event hashed `previous`."""
    content = {name: fields[name] for name in CONTENT}
    return hashlib.sha256(canonical({**content, "seq": seq, "prev": previous}).encode()).hexdigest()


def current_head(connection: Connection) -> Head | None:
    """The last event of the chain as this transaction sees it (None: no event yet)."""
    row = connection.execute(_HEAD).first()
    return Head(row.chain_seq, row.hash, row.occurred_at) if row else None


def link(connection: Connection, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give the events their places after the chain's head, and their hashes; the caller INSERTs them.

    Takes the chain's lock on PostgreSQL, so call it last in the transaction: the lock is held until
    COMMIT, and every other transaction that recorded events waits for it at this point.
    """
    if connection.dialect.name == "postgresql":
        row = connection.execute(_LOCKED_HEAD, {"key": CHAIN_LOCK_KEY}).first()
        head = Head(row.head_seq, row.head_hash, row.head_at) if row else None
    else:  # SQLite: the transaction holds the one write lock already
        head = current_head(connection)
    seq, previous = (head.seq, head.hash) if head else (0, GENESIS)
    linked = []
    for event in events:
        seq += 1
        previous = event_hash(seq, event, previous)
        linked.append({**event, "chain_seq": seq, "hash": previous})
    return linked
