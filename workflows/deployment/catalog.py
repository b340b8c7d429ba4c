"""The deployed processes and their versions, as the admin pages and the API list them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session

from workflows.deployment.definitions import LATEST, compiled
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


def _transaction(session: Session | scoped_session) -> Any:
    """The session's current root transaction (a scoped session answers for the session it holds)."""
    return (session() if isinstance(session, scoped_session) else session).get_transaction()


def latest_definitions(session: Session) -> list[ProcessDefinition]:
    """The newest version of every deployed process, by key (read once per transaction).

    A page reads them for its filters or figures and its header for "New case": one statement serves
    both. A deployment in the same transaction forgets what was read (workflows.deployment.deploy).
    """
    transaction = _transaction(session)
    memo = session.info.get(LATEST)
    if memo is not None and transaction is not None and memo[0] is transaction:
        return list(memo[1])
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    stmt = select(ProcessDefinition).join(newest, (ProcessDefinition.key == newest.c.key)
                                          & (ProcessDefinition.version == newest.c.version))
    found = list(session.scalars(stmt.order_by(ProcessDefinition.key)))
    session.info[LATEST] = (_transaction(session), tuple(found))
    return found


def mediation_processes(session: Session) -> list[str]:
    """The keys of the processes whose latest version keeps a mediation record (diagram property mediationRecord)."""
    return [d.key for d in latest_definitions(session) if compiled(session, d).info.mediation_record]


def start_agency_types(session: Session) -> dict[str, frozenset[str]]:
    """The agency types that may start each deployed process (its latest version; empty: any type).

    Stored with each version at deployment, so no version's settings are read (a page header asks this).
    """
    return {d.key: frozenset(d.start_agency_types or ()) for d in latest_definitions(session)}


def may_start_any(session: Session, agency_type: str) -> bool:
    """Whether an agency of the type may start at least one deployed process."""
    return any(not types or agency_type in types for types in start_agency_types(session).values())


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
