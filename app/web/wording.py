"""Words of the page language for values the domain keeps as codes: roles, statuses, agency types, periods."""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from workflows.deadlines.periods import Period, PeriodError, Unit, parse_period
from workflows.models import AgencyType

ROLE_LABELS = {
    "admin": _l("System admin"), "supervisor": _l("Supervisor"), "liaison": _l("Liaison"), "leader": _l("Leader"),
    "mediator": _l("Mediator"), "judge": _l("Judge"), "clerk": _l("Court clerk"),
}

# Statuses of a case or a work item, as a sentence names them.
STATUS_WORDS = {"open": _l("open"), "claimed": _l("claimed"), "completed": _l("completed"),
                "cancelled": _l("cancelled"), "running": _l("running"), "error": _l("in error")}


def chinese_page() -> bool:
    """Whether the page is in Chinese."""
    return str(get_locale() or "zh").startswith("zh")


def role_label(role: str) -> str:
    """A role code in the page language."""
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def status_word(code: str) -> str:
    """A status of a case or work item in the page language."""
    return str(STATUS_WORDS[code]) if code in STATUS_WORDS else code


def type_label(code: str) -> str:
    """An agency type by its name with its code, or its code when no such type exists (any more)."""
    name = db.session.scalar(select(AgencyType.name).where(AgencyType.code == code))
    return f"{name} ({code})" if name else code


def period_text(period: Period | None) -> str:
    """A period in the page language: 15个工作日, 15 working days."""
    if period is None:
        return ""
    return f"{period.amount}{period.unit.chinese}" if chinese_page() else str(period)


def period_shown(text: str) -> str:
    """A period the domain wrote ('15 working days'), in the page language (as it is if it does not parse)."""
    try:
        return period_text(parse_period(text))
    except PeriodError:
        return text


def period_forms() -> str:
    """How a period may be written, in the page language, from the units the deadline parser knows."""
    forms = [f"“N{unit.chinese}”" if chinese_page() else f"'N {unit.noun}'" for unit in Unit]
    return format_list(forms, style="or", locale=get_locale())


def units_shown(values: list[str]) -> str:
    """Period units the parser knows (codes such as 'working_days'), in the page language: 个工作日, working days."""
    known = {unit.value: unit for unit in Unit}
    return listed([(known[v].chinese.lstrip("个") if chinese_page() else known[v].noun) if v in known else v
                   for v in values])


def listed(values: list[str]) -> str:
    """Values joined as the page language lists them (、 in Chinese)."""
    return ("、" if chinese_page() else ", ").join(values)
