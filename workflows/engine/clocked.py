"""The engine's timers read Xietong's clock, so the timer worker and tests decide what "now" is.

SpiffWorkflow compares timer due times with `datetime.now(timezone.utc)` inside its timer module
and offers no clock hook (DESIGN.md, "Timers"). We give that module a `datetime` whose `now()`
asks `workflows.clock.now`; everything else about `datetime` is unchanged.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from workflows import clock


class ClockedDatetime(datetime):
    """`datetime` with `now()` taken from the system clock function."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = clock.now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


def install() -> None:
    """Point the engine's timer module at the injectable clock (idempotent)."""
    _timer_module.datetime = ClockedDatetime


install()
