"""In-app notices: sending them to the agencies of diagram lanes, and each user's list and unread count."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from workflows.assignment import LaneResolutionError, resolve_lane
from workflows.audit import record
from workflows.clock import now
from workflows.errors import NotFoundError
from workflows.models import Agency, Notice, NoticeRead, ProcessInstance, User, WorkItem
from workflows.participation import add_participant

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_TITLE = 300


def render_title(template: str, data: dict[str, Any]) -> str:
    """A notice title with `{field}` replaced by instance data (plain substitution, no format language)."""
    text = _FIELD.sub(lambda m: str(data.get(m.group(1), "")), template)
    return text[:MAX_TITLE]


def send(session: Session, *, kind: str, agency: Agency, title: str, instance: ProcessInstance | None = None,
         work_item: WorkItem | None = None, role: str | None = None, user: User | None = None,
         payload: dict[str, Any] | None = None) -> Notice:
    """Add one notice (the caller's transaction commits it with the change that caused it)."""
    notice = Notice(kind=kind, agency_id=agency.id, role=role, user_id=user.id if user else None,
                    instance_id=instance.id if instance else None,
                    work_item_id=work_item.id if work_item else None, title=title[:MAX_TITLE],
                    payload=payload or {}, created_at=now())
    session.add(notice)
    return notice


def notify_lanes(session: Session, instance: ProcessInstance, meta: dict[str, Any], entries: list[str],
                 data: dict[str, Any], *, kind: str, title: str, work_item: WorkItem | None = None,
                 payload: dict[str, Any] | None = None, participation: str = "notice") -> list[Notice]:
    """Notify the agencies of `lane[:role]` entries; they take part in the instance from now on.

    A lane that resolves to no agency does not stop the instance: the audit trail records it.
    """
    sent = []
    for entry in entries:
        lane_id, _, role = entry.partition(":")
        try:
            agency = resolve_lane(session, meta["lanes"][lane_id], data, instance)
        except LaneResolutionError as err:
            record(session, "notice.undeliverable", instance=instance, work_item=work_item,
                   payload={"kind": kind, "lane": lane_id, "reason": str(err)})
            continue
        add_participant(session, instance, agency, participation)
        sent.append(send(session, kind=kind, agency=agency, role=role or None, title=title, instance=instance,
                         work_item=work_item, payload={**(payload or {}), "lane": lane_id}))
    return sent


def _addressed_to(user: User) -> Any:
    """Notices for the user: personal ones, and those to the user's agency (and one of the user's roles)."""
    return or_(Notice.user_id == user.id,
               and_(Notice.user_id.is_(None), Notice.agency_id == user.agency_id,
                    or_(Notice.role.is_(None), Notice.role.in_(user.roles or []))))


def _read_by(user: User) -> Any:
    return exists().where(NoticeRead.notice_id == Notice.id, NoticeRead.user_id == user.id)


def list_notices(session: Session, user: User, *, unread_only: bool = False, kind: str | None = None,
                 limit: int = 50, offset: int = 0) -> list[tuple[Notice, bool]]:
    """The user's notices, newest first, each with whether the user has read it."""
    read = _read_by(user)
    stmt = select(Notice, read.label("read")).where(_addressed_to(user))
    if unread_only:
        stmt = stmt.where(~read)
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    rows = session.execute(stmt.order_by(Notice.id.desc()).limit(limit).offset(offset))
    return [(notice, bool(was_read)) for notice, was_read in rows]


def unread_count(session: Session, user: User) -> int:
    """How many of the user's notices are unread."""
    return session.scalar(select(func.count(Notice.id)).where(_addressed_to(user), ~_read_by(user))) or 0


def get_notice(session: Session, user: User, notice_id: int) -> Notice:
    """One of the user's notices; others' notices do not exist for the caller."""
    notice = session.scalars(select(Notice).where(Notice.id == notice_id, _addressed_to(user))).first()
    if notice is None:
        raise NotFoundError(f"notice {notice_id} not found")
    return notice


def mark_read(session: Session, user: User, notice_id: int) -> Notice:
    """Mark one notice read for the user (again: no change)."""
    notice = get_notice(session, user, notice_id)
    if session.get(NoticeRead, (notice.id, user.id)) is None:
        session.add(NoticeRead(notice_id=notice.id, user_id=user.id, read_at=now()))
        record(session, "notice.read", actor=user, payload={"notice": notice.id})
    return notice


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notice of the user read; return how many."""
    ids = list(session.scalars(select(Notice.id).where(_addressed_to(user), ~_read_by(user))))
    at = now()
    session.add_all([NoticeRead(notice_id=i, user_id=user.id, read_at=at) for i in ids])
    if ids:
        record(session, "notice.read", actor=user, payload={"notices": ids})
    return len(ids)
