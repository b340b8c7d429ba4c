"""`statistics(period)` for a diagram's `prefill` (docs/diagrams.md §4.1): an agency's figures as task data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflows.models import Agency
from workflows.statistics.periods import named_period
from workflows.statistics.report import agency_figures

# The figures a prefill gives, in this order; the pages label them (app/web/presenters.py).
FIGURE_KEYS = ("cases_started", "cases_ended", "items_completed", "items_with_deadline", "items_on_time",
               "items_late", "escalations", "extensions")


def statistics_for(session: Session, agency: Agency, period: Any) -> dict[str, Any]:
    """The agency's figures of a named period (`2026-H1`) as plain data: counts and measures by code."""
    stat_period = named_period(str(period or ""))
    found = agency_figures(session, stat_period, agency)
    values = (found.started, found.ended, found.work.completed, found.work.with_deadline, found.work.on_time,
              found.work.late, found.escalations, found.extensions)
    return {"period": stat_period.name, "agency": agency.code, **dict(zip(FIGURE_KEYS, values, strict=True)),
            "measures": dict(sorted(found.measures.items()))}
