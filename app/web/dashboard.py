"""The supervisor's dashboard: open and overdue work per agency and process, the oldest overdue items."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.web.blueprint import web_bp
from app.web.security import roles_required, signed_in_user
from app.web.views import due_state
from workflows.clock import now
from workflows.models import User, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES

BUCKETS = ("overdue", "due_today", "later", "none")
OLDEST = 10


@dataclass
class Row:
    """Counts of one agency or process."""

    name: str
    open: int = 0
    overdue: int = 0


@dataclass
class Overview:
    """What the dashboard shows."""

    by_agency: dict[int, Row] = field(default_factory=dict)
    by_process: dict[str, Row] = field(default_factory=dict)
    buckets: Counter = field(default_factory=Counter)
    oldest_overdue: list[WorkItem] = field(default_factory=list)


def active_items(session: Session, user: User) -> list[WorkItem]:
    """Open and claimed items the user oversees: all for supervisors and admins, else the own agency's."""
    stmt = select(WorkItem).where(WorkItem.status.in_(ACTIVE_STATUSES))
    if not user.oversees:
        stmt = stmt.where(WorkItem.candidate_agency_id == user.agency_id)
    return list(session.scalars(stmt))


def overview(items: list[WorkItem]) -> Overview:
    """Group the items by agency, process and due status."""
    result, at = Overview(), now()
    for item in items:
        state = due_state(item, at) or ("later" if item.due_at else "none")
        result.buckets[state] += 1
        agency = result.by_agency.setdefault(item.candidate_agency_id, Row(item.candidate_agency.name))
        process = result.by_process.setdefault(item.instance.definition.key, Row(item.instance.definition.name))
        for row in (agency, process):
            row.open += 1
            row.overdue += state == "overdue"
    overdue = [i for i in items if due_state(i, at) == "overdue"]
    result.oldest_overdue = sorted(overdue, key=lambda i: i.due_at)[:OLDEST]
    return result


@web_bp.route("/dashboard")
@roles_required("supervisor", "admin", "leader")
def show_dashboard() -> str:
    """Open and overdue counts per agency and process, the oldest overdue items, a chart by due status."""
    data = overview(active_items(db.session, signed_in_user()))
    total = max(sum(data.buckets.values()), 1)
    return render_template("dashboard/index.html", data=data, buckets=BUCKETS, total=total,
                           by_agency=sorted(data.by_agency.values(), key=lambda r: (-r.overdue, -r.open)),
                           by_process=sorted(data.by_process.values(), key=lambda r: (-r.overdue, -r.open)))
