"""Agency types, agencies and users: the directory an admin maintains."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.accounts.lifecycle import require_admin
from workflows.accounts.passwords import PasswordPolicy, password_problems
from workflows.audit import record
from workflows.errors import ConflictError, InvalidDataError
from workflows.messages import message
from workflows.models import Agency, AgencyType, User

LEVELS = ("district", "city", "province", "national")


def create_agency_type(session: Session, actor: User | None, code: str, name: str,
                       description: str = "") -> AgencyType:
    """Add an agency type that lanes of new diagrams may name."""
    require_admin(actor)
    if session.scalars(select(AgencyType).where(AgencyType.code == code)).first():
        raise ConflictError("agency_type_exists", code=code)
    agency_type = AgencyType(code=code, name=name, description=description)
    session.add(agency_type)
    session.flush()
    record(session, "agency_type.created", actor=actor, payload={"code": code})
    return agency_type


def create_agency(session: Session, actor: User | None, *, code: str, name: str, type_code: str,
                  jurisdiction: str, level: str, parent_code: str | None = None) -> Agency:
    """Register an agency of a known type."""
    require_admin(actor)
    agency_type = session.scalars(select(AgencyType).where(AgencyType.code == type_code)).first()
    errors = {}
    if agency_type is None:
        errors["type"] = [message("field_unknown_agency_type", code=type_code)]
    if level not in LEVELS:
        errors["level"] = [message("field_one_of", options=list(LEVELS))]
    parent = session.scalars(select(Agency).where(Agency.code == parent_code)).first() if parent_code else None
    if parent_code and parent is None:
        errors["parent"] = [message("field_unknown_agency", code=parent_code)]
    if errors:
        raise InvalidDataError("agency_invalid", errors)
    if session.scalars(select(Agency).where(Agency.code == code)).first():
        raise ConflictError("agency_exists", code=code)
    agency = Agency(code=code, name=name, type=agency_type, jurisdiction=jurisdiction, level=level, parent=parent)
    session.add(agency)
    session.flush()
    record(session, "agency.created", actor=actor, payload={"code": code, "type": type_code})
    return agency


def create_user(session: Session, actor: User | None, *, username: str, display_name: str, agency_code: str,
                roles: list[str], password: str, policy: PasswordPolicy | None = None) -> User:
    """Create a user of an agency with roles and a password that meets the policy (default: the default one)."""
    require_admin(actor)
    agency = session.scalars(select(Agency).where(Agency.code == agency_code)).first()
    errors = {}
    if agency is None:
        errors["agency"] = [message("field_unknown_agency", code=agency_code)]
    problems = password_problems(policy or PasswordPolicy(), password, username=username, agency_code=agency_code)
    if problems:
        errors["password"] = problems
    if errors:
        raise InvalidDataError("user_invalid", errors)
    if session.scalars(select(User).where(User.username == username)).first():
        raise ConflictError("user_exists", name=username)
    user = User(username=username, display_name=display_name, agency=agency, roles=sorted(set(roles)))
    user.set_password(password)
    session.add(user)
    session.flush()
    record(session, "user.created", actor=actor, payload={"username": username, "roles": user.roles})
    return user


def list_agency_types(session: Session) -> list[AgencyType]:
    """All agency types, by code."""
    return list(session.scalars(select(AgencyType).order_by(AgencyType.code)))


def list_agencies(session: Session) -> list[Agency]:
    """All agencies, by jurisdiction and code (every user may see them: liaisons name target agencies)."""
    return list(session.scalars(select(Agency).order_by(Agency.jurisdiction, Agency.code)))


def visible_users(session: Session, viewer: User) -> list[User]:
    """Users of the viewer's agency, by agency and name; admins and supervisors see everyone."""
    stmt = select(User).order_by(User.agency_id, User.username)
    if not viewer.oversees:
        stmt = stmt.where(User.agency_id == viewer.agency_id)
    return list(session.scalars(stmt))


def held_roles(session: Session) -> set[str]:
    """Every role some user holds (roles are free codes on users: the directory has no table of them)."""
    return {role for roles in session.scalars(select(User.roles)) for role in (roles or [])}
