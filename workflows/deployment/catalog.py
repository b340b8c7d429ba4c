"""The deployed processes and their versions, as the admin pages and the API list them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.deployment.definitions import compiled
from workflows.deployment.deploy import latest_definition
from workflows.engine.settings import ProcessInfo
from workflows.models import ProcessDefinition


@dataclass(frozen=True)
class DeployedVersion:
    """One deployed version with its typed settings and its forms."""

    definition: ProcessDefinition
    info: ProcessInfo
    forms: Mapping[str, Any]


def with_settings(session: Session, definitions: Iterable[ProcessDefinition]) -> list[DeployedVersion]:
    """Each definition with its settings and forms, read through the definition cache."""
    return [DeployedVersion(d, content.info, content.forms) for d in definitions
            for content in (compiled(session, d),)]


def latest_definitions(session: Session) -> list[ProcessDefinition]:
    """The newest version of every deployed process, by key."""
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    stmt = select(ProcessDefinition).join(newest, (ProcessDefinition.key == newest.c.key)
                                          & (ProcessDefinition.version == newest.c.version))
    return list(session.scalars(stmt.order_by(ProcessDefinition.key)))


def mediation_processes(session: Session) -> list[str]:
    """The keys of the processes whose latest version keeps a mediation record (diagram property mediationRecord)."""
    return [d.key for d in latest_definitions(session) if compiled(session, d).info.mediation_record]


def process_choices(session: Session) -> list[tuple[str, str]]:
    """(key, name) of every deployed process, for filters and start forms."""
    return [(d.key, d.name) for d in latest_definitions(session)]


def definition_versions(session: Session, key: str) -> list[ProcessDefinition]:
    """All versions of one process, newest first (empty when the key is not deployed)."""
    return list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                .order_by(ProcessDefinition.version.desc())))


def find_definition(session: Session, key: str, version: int | None = None) -> ProcessDefinition | None:
    """One version of a process, the latest when none is named."""
    if version is None:
        return latest_definition(session, key)
    return session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version)).first()
