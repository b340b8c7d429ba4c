"""Whose figures a viewer may see: supervisors and admins every agency's, a leader their own agency's and its
subordinate offices' (their `parent` is the leader's agency), nobody else any."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflows.errors import NotFoundError, PermissionDeniedError
from workflows.models import Agency, User

STATISTICS_ROLES = frozenset({"supervisor", "admin", "leader"})


@dataclass(frozen=True)
class Scope:
    """The agencies counted (None: all), and how the scope was asked for."""

    agency_ids: frozenset[int] | None
    agency: str | None = None  # the agency code asked for
    jurisdiction: str | None = None  # the jurisdiction asked for


def _visible(session: Session, user: User) -> frozenset[int] | None:
    """The agencies whose figures the user may see (None: all)."""
    if not STATISTICS_ROLES.intersection(user.roles or []):
        raise PermissionDeniedError("statistics_forbidden")
    if user.oversees:
        return None
    rows = session.scalars(select(Agency.id).where(or_(Agency.id == user.agency_id,
                                                       Agency.parent_id == user.agency_id)))
    return frozenset(rows)


def resolve_scope(session: Session, user: User, agency: str | None = None,
                  jurisdiction: str | None = None) -> Scope:
    """The scope asked for, within what the user may see; all the user may see when none is asked."""
    visible = _visible(session, user)
    if agency:
        found = session.scalar(select(Agency.id).where(Agency.code == agency))
        if found is None:
            raise NotFoundError("statistics_no_agency", code=agency)
        wanted = frozenset({found})
    elif jurisdiction:
        wanted = frozenset(session.scalars(select(Agency.id).where(Agency.jurisdiction == jurisdiction)))
    else:
        return Scope(visible)
    if visible is not None and not wanted <= visible:
        raise PermissionDeniedError("statistics_outside_scope")
    return Scope(wanted, agency=agency or None, jurisdiction=jurisdiction or None)


@dataclass(frozen=True)
class ScopeChoices:
    """What a viewer may pick: agencies (code, name) by code, and jurisdictions whose agencies are all visible."""

    agencies: list[tuple[str, str]]
    jurisdictions: list[str]


def scope_choices(session: Session, user: User) -> ScopeChoices:
    """The agencies and jurisdictions the user may ask figures for (PermissionDeniedError for anyone else)."""
    visible = _visible(session, user)
    rows = session.execute(select(Agency.id, Agency.code, Agency.name, Agency.jurisdiction).order_by(Agency.code)).all()
    members: dict[str, set[int]] = defaultdict(set)
    for agency_id, _code, _name, jurisdiction in rows:
        members[jurisdiction].add(agency_id)
    agencies = [(code, name) for agency_id, code, name, _j in rows if visible is None or agency_id in visible]
    jurisdictions = sorted(j for j, ids in members.items() if j and (visible is None or ids <= visible))
    return ScopeChoices(agencies, jurisdictions)
