"""Resolving a diagram lane to the concrete agency that does the work (DESIGN: lanes are agency types)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows.engine.settings import LaneInfo
from workflows.messages import CodedError
from workflows.models import Agency, AgencyType, ProcessInstance


class LaneResolutionError(CodedError, RuntimeError):
    """No single agency answers for a lane; the instance stops in error with this reason."""


# Built once with parameters: composing the join on every step costs more than running it.
_SAME_LEVEL = (select(Agency).join(AgencyType, Agency.type_id == AgencyType.id)
               .where(AgencyType.code == bindparam("type_code"), Agency.active.is_(True),
                      Agency.jurisdiction == bindparam("jurisdiction")))


def _from_data(session: Session, lane: LaneInfo, data: dict[str, Any]) -> Agency | None:
    """The agency named by the lane's agencyFrom field, checked against the lane's type."""
    field = lane.agency_from
    code = data.get(field) if field else None
    if not code:
        return None
    agency = session.scalars(select(Agency).where(Agency.code == str(code))).first()
    if agency is None or not agency.active:
        raise LaneResolutionError("lane_agency_unknown", lane=lane.name, field=field, code=code)
    if agency.type.code != lane.agency_type:
        raise LaneResolutionError("lane_agency_wrong_type", lane=lane.name, code=code, actual_type=agency.type.code,
                                  agency_type=lane.agency_type)
    return agency


def _same_level(session: Session, type_code: str, initiator: Agency) -> Agency | None:
    """The one agency of the type in the initiator's jurisdiction (同级)."""
    found = session.scalars(_SAME_LEVEL, {"type_code": type_code, "jurisdiction": initiator.jurisdiction}).all()
    if len(found) > 1:
        names = ", ".join(a.code for a in found)
        raise LaneResolutionError("lane_ambiguous", count=len(found), agency_type=type_code,
                                  jurisdiction=initiator.jurisdiction, names=names)
    return found[0] if found else None


def _up_the_chain(type_code: str, initiator: Agency) -> Agency | None:
    """The nearest superior of the initiator that is of the type."""
    seen = set()
    current = initiator.parent
    while current is not None and current.id not in seen:
        if current.type.code == type_code and current.active:
            return current
        seen.add(current.id)
        current = current.parent
    return None


def resolve_lane(session: Session, lane: LaneInfo, data: dict[str, Any],
                 instance: ProcessInstance) -> Agency:
    """The agency for a lane: named in the data, the initiator, same level, or up the chain."""
    type_code = lane.agency_type or ""  # deployment types every lane a task or a recipient names
    initiator = instance.initiating_agency
    agency = _from_data(session, lane, data)
    if agency is None and initiator.type.code == type_code and initiator.active:
        agency = initiator
    agency = agency or _same_level(session, type_code, initiator) or _up_the_chain(type_code, initiator)
    if agency is None:
        raise LaneResolutionError("lane_unresolved", lane=lane.name, agency_type=type_code,
                                  jurisdiction=initiator.jurisdiction, agency=initiator.name)
    return agency
