"""Read-only look-ups the pages need and no service offers (the API does the same in its views)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import ProcessDefinition


def latest_definitions(session: Session) -> list[ProcessDefinition]:
    """The newest version of every deployed process, by key."""
    rows = session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                              ProcessDefinition.version.desc())).all()
    latest: dict[str, ProcessDefinition] = {}
    for row in rows:
        latest.setdefault(row.key, row)
    return list(latest.values())


def process_choices(session: Session) -> list[tuple[str, str]]:
    """(key, name) of every deployed process, for filters."""
    return [(d.key, d.name) for d in latest_definitions(session)]


def definition_versions(session: Session, key: str) -> list[ProcessDefinition]:
    """All versions of one process, newest first."""
    return list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version.desc())))
