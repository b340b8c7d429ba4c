"""In-app notices: sending them to the agencies of diagram lanes, and each user's list and unread count.

A notice is delivered when sent, one row per recipient (`NoticeDelivery`): a user's list and unread
count read that user's rows by index, never the agency's whole notice history. The consequence: a
user who joins an agency, or gains a role, later does not receive the notices sent before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, joinedload

from workflows.audit import record
from workflows.clock import now
from workflows.directory.assignment import LaneResolutionError, resolve_lane
from workflows.engine.settings import ProcessInfo, Recipient
from workflows.errors import NotFoundError
from workflows.messages import Message
from workflows.models import Agency, Notice, NoticeDelivery, ProcessInstance, User, WorkItem
from workflows.paging import KEYSET, Page, by_keyset, decode
from workflows.work.participation import add_participant
from workflows.work.rows import insert_row

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_TITLE = 300


def render_title(template: str, data: dict[str, Any]) -> str:
    """A notice title with `{field}` replaced by instance data (plain substitution, no format language)."""
    text = _FIELD.sub(lambda m: str(data.get(m.group(1), "")), template)
    return text[:MAX_TITLE]


# The users a notice to an agency reaches: its active users; a role narrows them in Python (roles are JSON).
_AGENCY_USERS = select(User.id, User.roles).where(User.agency_id == bindparam("agency_id"), User.active.is_(True))
_DELIVER = insert(NoticeDelivery.__table__)


def _recipients(session: Session, agency: Agency, role: str | None, user: User | None) -> list[int]:
    """Who receives a notice now: the one user addressed, else the agency's users holding the role."""
    if user is not None:
        return [user.id]
    rows = session.connection().execute(_AGENCY_USERS, {"agency_id": agency.id})
    return [user_id for user_id, roles in rows if role is None or role in (roles or [])]


def send(session: Session, *, kind: str, agency: Agency, title: str | Message, instance: ProcessInstance | None = None,
         work_item: WorkItem | None = None, role: str | None = None, user: User | None = None,
         payload: dict[str, Any] | None = None) -> Notice:
    """Add one notice and deliver it to its recipients (the caller's transaction commits both).

    Written as plain statements, as a step writes its rows: nothing here flushes the session. A title
    given as a message is kept as one (and in English in `title`), to be shown in the reader's language;
    a text (a diagram's `notify` title) is kept as written.
    """
    coded = {"code": title.code, "params": title.params} if isinstance(title, Message) else None
    notice = insert_row(session, Notice(
        kind=kind, agency_id=agency.id, role=role, user_id=user.id if user else None,
        instance_id=instance.id if instance else None, work_item_id=work_item.id if work_item else None,
        title=str(title)[:MAX_TITLE], title_message=coded, payload=payload or {}, created_at=now()))
    recipients = _recipients(session, agency, role, user)
    if recipients:
        session.connection().execute(_DELIVER, [{"user_id": r, "notice_id": notice.id, "read_at": None}
                                                 for r in recipients])
    return notice


def notify_lanes(session: Session, instance: ProcessInstance, info: ProcessInfo, recipients: Iterable[Recipient],
                 data: dict[str, Any], *, kind: str, title: str | Message, work_item: WorkItem | None = None,
                 payload: dict[str, Any] | None = None, participation: str = "notice") -> list[Notice]:
    """Notify the agencies of the recipients' lanes (their users of the role, if one is given).

    The agencies take part in the instance from now on. A lane that resolves to no agency does
    not stop the instance: the audit trail records it.
    """
    sent = []
    for recipient in recipients:
        try:
            agency = resolve_lane(session, info.lanes[recipient.lane], data, instance)
        except LaneResolutionError as err:
            record(session, "notice.undeliverable", instance=instance, work_item=work_item,
                   payload={"kind": kind, "lane": recipient.lane, "reason": str(err), "code": err.code})
            continue
        add_participant(session, instance, agency, participation)
        sent.append(send(session, kind=kind, agency=agency, role=recipient.role, title=title, instance=instance,
                         work_item=work_item, payload={**(payload or {}), "lane": recipient.lane}))
    return sent


def _delivered(user: User, unread_only: bool, kind: str | None, before: int | None, offset: int,
               limit: int) -> Select:
    """One page of the user's notices with their read time, newest first (the delivery key's order).

    Without a kind, the page of deliveries is cut first and only its notices are read, so no plan
    walks the notice table until it meets enough of the user's.
    """
    delivery = NoticeDelivery
    conditions = [delivery.user_id == user.id]
    if unread_only:
        conditions.append(delivery.read_at.is_(None))
    if before is not None:
        conditions.append(delivery.notice_id < before)
    newest = delivery.notice_id.desc()
    if kind:
        stmt = (select(Notice, delivery.read_at).join(delivery, delivery.notice_id == Notice.id)
                .where(*conditions, Notice.kind == kind).order_by(newest).offset(offset).limit(limit))
    else:
        page = (select(delivery.notice_id, delivery.read_at).where(*conditions).order_by(newest)
                .offset(offset).limit(limit).subquery())
        stmt = (select(Notice, page.c.read_at).join(page, page.c.notice_id == Notice.id)
                .order_by(page.c.notice_id.desc()))
    return stmt.options(joinedload(Notice.agency).lazyload(Agency.type))


def page_notices(session: Session, user: User, *, unread_only: bool = False, kind: str | None = None,
                 limit: int = 50, offset: int = 0, after: str | None = None) -> Page[tuple[Notice, bool]]:
    """The user's notices, newest first, each with whether the user has read it; paged by notice id."""
    before = decode(after, KEYSET, (int,))[0] if after is not None else None
    stmt = _delivered(user, unread_only, kind, before, offset if after is None else 0, limit + 1)
    pairs = [(notice, read_at is not None) for notice, read_at in session.execute(stmt)]
    return by_keyset(pairs, limit, lambda pair: (pair[0].id,))


def list_notices(session: Session, user: User, *, unread_only: bool = False, kind: str | None = None,
                 limit: int = 50, offset: int = 0) -> list[tuple[Notice, bool]]:
    """The user's notices, newest first, each with whether the user has read it."""
    return page_notices(session, user, unread_only=unread_only, kind=kind, limit=limit, offset=offset).rows


def unread_count(session: Session, user: User, cap: int | None = None) -> int:
    """How many of the user's notices are unread, counting at most `cap` if given (a page header's badge)."""
    unread = select(NoticeDelivery.notice_id).where(NoticeDelivery.user_id == user.id,
                                                    NoticeDelivery.read_at.is_(None))
    if cap is not None:
        unread = unread.limit(cap)
    return session.scalar(select(func.count()).select_from(unread.subquery())) or 0


def get_notice(session: Session, user: User, notice_id: int) -> Notice:
    """One of the user's notices; others' notices do not exist for the caller."""
    delivery = session.get(NoticeDelivery, (user.id, notice_id))
    if delivery is None:
        raise NotFoundError("notice_not_found", id=notice_id)
    return delivery.notice


def mark_read(session: Session, user: User, notice_id: int) -> Notice:
    """Mark one notice read for the user (again: no change)."""
    notice = get_notice(session, user, notice_id)
    delivery = session.get(NoticeDelivery, (user.id, notice_id))
    if delivery.read_at is None:
        delivery.read_at = now()
        record(session, "notice.read", actor=user, payload={"notice": notice.id})
    return notice


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notice of the user read; return how many."""
    stmt = (update(NoticeDelivery).where(NoticeDelivery.user_id == user.id, NoticeDelivery.read_at.is_(None))
            .values(read_at=now()).returning(NoticeDelivery.notice_id).execution_options(synchronize_session=False))
    ids = sorted(session.scalars(stmt))
    if ids:
        record(session, "notice.read", actor=user, payload={"notices": ids})
    return len(ids)
