"""Recomputing the audit chain: the first event whose hash does not match, a missing place, a moved head.

The walk reads the events in `chain_seq` order a batch at a time (a million events never sit in
memory together) and recomputes every hash from the stored content and the previous event's
stored hash. The first failure is the finding:

- `altered`: the event's stored content or hash does not give its stored hash: this row was changed
  (or, when its own hash was recomputed to match, the next one is named: its link breaks);
- `missing`: a place in the chain has no row: events were deleted;
- `anchor`: the chain does not hold the head an installation wrote down outside the database
  (a rewrite of the whole chain from some event on, or events deleted at its end).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from workflows.audit.chain import CONTENT, GENESIS, Head, current_head, event_hash
from workflows.models import AuditEvent

BATCH_SIZE = 1000
_COLUMNS = (AuditEvent.id, AuditEvent.chain_seq, AuditEvent.hash, *(getattr(AuditEvent, c) for c in CONTENT))
_AFTER = (select(*_COLUMNS).where(AuditEvent.chain_seq > bindparam("after"))
          .order_by(AuditEvent.chain_seq).limit(bindparam("size")))
_AT = select(AuditEvent.hash).where(AuditEvent.chain_seq == bindparam("seq"))
_ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    """A place and hash written down outside the database: `SEQ:HASH`."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Read `SEQ:HASH` (as `flask audit-head` prints them); ValueError otherwise."""
        match = _ANCHOR.fullmatch(text.strip().lower())
        if not match or int(match[1]) < 1:
            raise ValueError("an anchor is SEQ:HASH, e.g. 1042:9f86d0…, with the 64 hex digits of the hash")
        return cls(int(match[1]), match[2])


@dataclass(frozen=True)
class Finding:
    """Where the chain fails: the kind, the place, and the event found there (if any)."""

    kind: str  # altered | missing | anchor
    seq: int
    event_id: int | None = None
    occurred_at: datetime | None = None
    type: str | None = None
    detail: str = ""

    def describe(self) -> str:
        """One line for people: what failed, and which event."""
        event = (f"event id {self.event_id}, {self.type}, at {self.occurred_at.isoformat()}"
                 if self.event_id is not None and self.occurred_at else "no event")
        return f"{self.kind} at seq {self.seq} ({event}): {self.detail}"


@dataclass(frozen=True)
class Report:
    """The outcome of a walk: how far it checked, and the first finding (None: every link holds)."""

    first_seq: int  # the first place checked
    checked: int  # events recomputed
    head: Head | None  # the last event of the chain when the walk began
    finding: Finding | None
    complete: bool  # False: the time limit stopped the walk before the head

    @property
    def ok(self) -> bool:
        """Every link checked holds (and, when complete, up to the head)."""
        return self.finding is None


def _check(row: Row, expected_seq: int, previous: str) -> Finding | None:
    """The finding at one row, if its place or hash is wrong."""
    if row.chain_seq != expected_seq:
        missing = f"{expected_seq}" if row.chain_seq == expected_seq + 1 else f"{expected_seq}–{row.chain_seq - 1}"
        after_gap = f"seq {row.chain_seq} (id {row.id}, {row.type}, {row.occurred_at.isoformat()})"
        return Finding("missing", expected_seq,
                       detail=f"no event at seq {missing}: rows were deleted; the next event is {after_gap}")
    if event_hash(row.chain_seq, row._mapping, previous) != row.hash:
        return Finding("altered", row.chain_seq, row.id, row.occurred_at, row.type,
                       "its hash does not match its content and the previous event's hash: this row, or its "
                       "stored hash, was changed outside the application")
    return None


def _start(session: Session, after: int) -> str | None:
    """The stored hash the walk starts from (GENESIS before seq 1; None: no event at that place)."""
    return GENESIS if after == 0 else session.scalar(_AT, {"seq": after})


def verify_chain(session: Session, *, after: int = 0, anchor: Anchor | None = None, batch_size: int = BATCH_SIZE,
                 seconds: float | None = None, pause: Callable[[], object] | None = None) -> Report:
    """Recompute the chain from place `after + 1` up to the head (taking the stored hash at `after` as given).

    `seconds` bounds the walk: it stops after the batch that passes it, reporting `complete=False`.
    `pause` runs between batches: the caller may end its read transaction there (on SQLite every
    transaction holds the write lock), since events are only ever appended.
    """
    head, started = current_head(session.connection()), time.monotonic()
    previous, expected, checked = _start(session, after), after + 1, 0
    if previous is None:
        return Report(after + 1, 0, head, Finding("missing", after, detail="the walk's starting event is missing"),
                      True)
    while head is not None and expected <= head.seq:
        rows = session.execute(_AFTER, {"after": expected - 1, "size": batch_size}).all()
        for row in rows:
            if finding := _check(row, expected, previous):
                return Report(after + 1, checked, head, finding, True)
            if anchor and row.chain_seq == anchor.seq and row.hash != anchor.hash:
                return Report(after + 1, checked, head, Finding(
                    "anchor", row.chain_seq, row.id, row.occurred_at, row.type,
                    f"the chain was rewritten up to here: the anchor's hash is {anchor.hash}, the chain's {row.hash}"),
                    True)
            previous, expected, checked = row.hash, expected + 1, checked + 1
        if not rows or (seconds is not None and time.monotonic() - started > seconds and expected <= head.seq):
            break
        if pause is not None:
            pause()
    complete = head is None or expected > head.seq
    if complete and anchor and anchor.seq > (head.seq if head else 0):
        return Report(after + 1, checked, head, Finding(
            "anchor", anchor.seq, detail=f"the chain ends at seq {head.seq if head else 0}, before the anchor: "
                                         "events at its end were deleted"), True)
    return Report(after + 1, checked, head, None, complete)
