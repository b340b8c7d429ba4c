"""Agencies as form choices: a form field's `x-agencies` hint (docs/diagrams.md §6).

`{"type": "string", "x-agencies": {"type": "market_supervision", "under": "starter"}}` (or the same as
the `items` of an array) lets the field hold the codes of the active agencies of that type whose superior
is the agency filling in the form ("starter"; without `under`, any agency of the type). The page offers
them by name; a submission naming another code is refused at the field.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.messages import Message, message
from workflows.models import Agency, AgencyType

HINT = "x-agencies"


def _allowed(session: Session, hint: Any, agency: Agency) -> list[tuple[str, str]]:
    """(code, name) of the agencies a hint allows for a form filled in by `agency`, by code."""
    hint = hint if isinstance(hint, dict) else {}
    stmt = (select(Agency.code, Agency.name).join(AgencyType, Agency.type_id == AgencyType.id)
            .where(Agency.active.is_(True)).order_by(Agency.code))
    if hint.get("type"):
        stmt = stmt.where(AgencyType.code == str(hint["type"]))
    if hint.get("under") == "starter":
        stmt = stmt.where(Agency.parent_id == agency.id)
    return [(code, name) for code, name in session.execute(stmt)]


def _fields(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(name, the schema holding the hint, whether the field is a list) of the top-level hinted fields."""
    found = []
    for name, field in (schema.get("properties") or {}).items():
        if isinstance(field, dict) and HINT in field:
            found.append((name, field, False))
        elif isinstance(field, dict) and isinstance(field.get("items"), dict) and HINT in field["items"]:
            found.append((name, field["items"], True))
    return found


def with_agency_choices(session: Session, schema: dict[str, Any] | None, agency: Agency) -> dict[str, Any] | None:
    """The schema with each hinted field's agencies as `oneOf` choices (code, titled by name)."""
    if not schema or not _fields(schema):
        return schema
    expanded = copy.deepcopy(schema)
    for _name, holder, _many in _fields(expanded):
        options = _allowed(session, holder[HINT], agency)
        holder["oneOf"] = [{"const": code, "title": name} for code, name in options] or [{"const": "", "title": "—"}]
    return expanded


def agency_choice_errors(session: Session, schema: dict[str, Any] | None, data: dict[str, Any],
                         agency: Agency) -> dict[str, list[Message]]:
    """The hinted fields of the data naming an agency the hint does not allow, by field path."""
    errors: dict[str, list[Message]] = {}
    for name, holder, many in _fields(schema or {}):
        if name not in data:
            continue
        allowed = {code for code, _ in _allowed(session, holder[HINT], agency)}
        values = data[name] if many and isinstance(data[name], list) else [data[name]]
        for index, value in enumerate(values):
            if value not in allowed:
                path = f"{name}.{index}" if many else name
                errors.setdefault(path, []).append(message("field_agency_not_offered", value=value))
    return errors
