"""The judicial-confirmation application (司法确认申请书) read from a case: who applies, to which court, what
they ask, on which agreement, with which materials, and a signature line for each party.

What each part is comes from the forms, not from Python per process: a form field carries the annotation
`"x-confirmation": <part>` (docs/diagrams.md §6), one of PARTS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.web.presenters import Label
from workflows.deployment.definitions import compiled
from workflows.directory.assignment import LaneResolutionError, resolve_lane
from workflows.models import Agency, ProcessInstance

HINT = "x-confirmation"
PARTS = ("parties", "court", "agreement_no", "agreement_date", "facts", "terms")
PARTY_NAME = "name"  # the field of a party row that names it (signature lines)


@dataclass
class Application:
    """The parts of the application that the case's data holds (a part no form annotates stays empty)."""

    court: str = ""
    parties: list[dict[str, Any]] = field(default_factory=list)
    party_label: Label | None = None
    agreement_no: str = ""
    agreement_date: str = ""
    facts: str = ""
    terms: list[Any] = field(default_factory=list)
    terms_label: Label | None = None
    committee: str = ""


def annotated_fields(forms: dict[str, Any]) -> dict[str, str]:
    """part -> the data field a form annotates as that part (the first form wins)."""
    found: dict[str, str] = {}
    for form in forms.values():
        properties = form.get("properties") if isinstance(form, dict) else None
        for name, sub in (properties or {}).items():
            if isinstance(sub, dict) and sub.get(HINT) in PARTS:
                found.setdefault(sub[HINT], name)
    return found


def _court(session: Session, instance: ProcessInstance, field_name: str | None, data: dict[str, Any]) -> str:
    """The court addressed: the agency of the lane drawn from the annotated field (named there, or found from
    the initiating agency as the case itself would), else the agency the field names."""
    if not field_name:
        return ""
    lanes = compiled(session, instance.definition).info.lanes.values()
    for lane in lanes:
        if lane.agency_from == field_name:
            try:
                return resolve_lane(session, lane, data, instance).name
            except LaneResolutionError:
                break
    named = session.scalars(select(Agency).where(Agency.code == str(data.get(field_name)))).first()
    return named.name if named else ""


def application(session: Session, instance: ProcessInstance, data: dict[str, Any], forms: dict[str, Any],
                labels: dict[str, Label], steps: list[Any]) -> Application:
    """The application as the case's data states it; the committee is the agency that recorded the agreement."""
    fields = annotated_fields(forms)

    def value(part: str) -> Any:
        return data.get(fields[part]) if part in fields else None

    court = _court(session, instance, fields.get("court"), data)
    parties = [p for p in value("parties") or [] if isinstance(p, dict)]
    terms = value("terms") if isinstance(value("terms"), list) else []
    recorded = [s for s in steps if fields.get("agreement_no") in (s.submitted_data or {})]
    return Application(
        court=court, parties=parties,
        party_label=labels.get(fields.get("parties", "")), agreement_no=str(value("agreement_no") or ""),
        agreement_date=str(value("agreement_date") or ""), facts=str(value("facts") or ""), terms=terms,
        terms_label=labels.get(fields.get("terms", "")),
        committee=recorded[-1].candidate_agency.name if recorded else "")
