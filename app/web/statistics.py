"""The statistics page and its .xlsx export: the figures of `workflows.statistics.report` for a period and a scope.

A GET form picks the period (a year, a half-year, a quarter, a month or a range of days), the scope
(everything the viewer may see, one agency or one jurisdiction, from lists) and the process. A bad
choice is said on the page (400), never counted. The charts are drawn by static/js/statistics.js from
a JSON block; the tables carry every figure without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.statistics_export import MEDIA_TYPE, Labels, filename, review_workbook, workbook
from app.web.blueprint import web_bp
from app.web.security import error_page, roles_required, signed_in_user
from workflows.clock import now
from workflows.deadlines.calendar import SHANGHAI
from workflows.deployment.catalog import latest_definitions
from workflows.errors import InvalidDataError
from workflows.models import User
from workflows.statistics.figures import Statistics
from workflows.statistics.periods import MAX_DAYS, StatPeriod, day_range, named_period
from workflows.statistics.report import labels, statistics
from workflows.statistics.scope import STATISTICS_ROLES, ScopeChoices, scope_choices

KINDS = ("year", "half", "quarter", "month", "range")
ROLES = sorted(STATISTICS_ROLES)


class QueryError(Exception):
    """A choice of the form that cannot be counted; the message is in the page language."""


@dataclass
class Query:
    """What the form asked, as its fields show it again."""

    kind: str = "year"
    year: str = ""
    half: str = "H1"
    quarter: str = "Q1"
    month: str = "01"
    first: str = ""
    last: str = ""
    scope: str = ""  # "", "agency:<code>" or "jurisdiction:<name>"
    process: str = ""
    errors: list[str] = field(default_factory=list)

    def show(self, period: StatPeriod) -> None:
        """Set the fields to the period counted (as a named period when it is one)."""
        name = period.name
        self.year, self.first, self.last = str(period.first.year), period.first.isoformat(), period.last.isoformat()
        if "_" in name:
            self.kind = "range"
        elif len(name) == 4:
            self.kind = "year"
        elif name[5] in "HQ":
            self.kind = "half" if name[5] == "H" else "quarter"
            setattr(self, self.kind, name[5:])
        else:
            self.kind, self.month = "month", name[5:]


def _today() -> date:
    return now().astimezone(SHANGHAI).date()


def _period(args: MultiDict, query: Query) -> StatPeriod:
    """The period the form names; `period=2026-H1` (as the API takes it) works too."""
    if args.get("period") and not args.get("kind"):
        try:
            return named_period(args["period"])
        except InvalidDataError:
            raise QueryError(_("The period '%(period)s' is not a year (2026), half-year (2026-H1), quarter (2026-Q3) "
                               "or month (2026-05).", period=args["period"])) from None
    if query.kind not in KINDS:
        raise QueryError(_("Choose the kind of period from the list."))
    if query.kind == "range":
        try:
            return day_range(date.fromisoformat(query.first), date.fromisoformat(query.last))
        except ValueError:
            raise QueryError(_("Give the first and the last day as dates (YYYY-MM-DD).")) from None
        except InvalidDataError:
            if query.last < query.first:
                raise QueryError(_("The last day is before the first.")) from None
            raise QueryError(_("A range of days covers at most %(days)s days.", days=MAX_DAYS)) from None
    if not (query.year.isdigit() and len(query.year) == 4 and 1900 <= int(query.year) <= 9998):
        raise QueryError(_("Give the year as four digits, from 1900 to 9998."))
    part = {"year": "", "half": query.half, "quarter": query.quarter, "month": query.month}[query.kind]
    if part not in {"year": ("",), "half": ("H1", "H2"), "quarter": ("Q1", "Q2", "Q3", "Q4"),
                    "month": tuple(f"{m:02d}" for m in range(1, 13))}[query.kind]:
        raise QueryError(_("Choose the half-year, quarter or month from the list."))
    return named_period(f"{query.year}-{part}" if part else query.year)


def _scope(query: Query, choices: ScopeChoices) -> dict[str, str]:
    """The agency or jurisdiction asked for, if it is one of the viewer's choices."""
    kind, _sep, value = query.scope.partition(":")
    if not query.scope:
        return {}
    if kind == "agency" and value in {code for code, _name in choices.agencies}:
        return {"agency": value}
    if kind == "jurisdiction" and value in choices.jurisdictions:
        return {"jurisdiction": value}
    raise QueryError(_("Choose the agency or the jurisdiction from the list."))


@dataclass
class Asked:
    """A read request: the form's values, and the figures when the choices could be counted."""

    query: Query
    choices: ScopeChoices
    processes: list[tuple[str, str]]
    figures: Statistics | None = None


def _ask(user: User) -> Asked:
    """Read the form, count the figures (unless a choice is wrong: then `query.errors` says why)."""
    args = request.args
    today = _today()
    query = Query(kind=args.get("kind", "year"), year=args.get("year", str(today.year)), half=args.get("half", "H1"),
                  quarter=args.get("quarter", "Q1"), month=args.get("month", f"{today.month:02d}"),
                  first=args.get("from", today.replace(day=1).isoformat()), last=args.get("to", today.isoformat()),
                  scope=args.get("scope", ""), process=args.get("process", ""))
    asked = Asked(query, scope_choices(db.session, user),
                  [(d.key, d.name) for d in latest_definitions(db.session)])
    try:
        period = _period(args, query)
        scope = _scope(query, asked.choices)
        if query.process and query.process not in dict(asked.processes):
            raise QueryError(_("Choose a process from the list."))
    except QueryError as err:
        query.errors.append(str(err))
        return asked
    query.show(period)
    asked.figures = statistics(db.session, user, period, process=query.process or None, **scope)
    return asked


def _days(seconds: float | None) -> str:
    """A duration as people say it: days with one decimal, hours under a day."""
    if seconds is None:
        return "—"
    if seconds < 86400:
        return _("%(hours)s hours", hours=f"{seconds / 3600:.1f}")
    return _("%(days)s days", days=f"{seconds / 86400:.1f}")


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _charts(figures: Statistics) -> dict[str, Any]:
    """What static/js/statistics.js draws: the month trend and the on-time rate per agency."""
    trend = figures.trend
    rated = [a for a in figures.agencies if a.work.on_time_rate is not None]
    return {
        "trend": {"labels": [m.month for m in trend], "series": [
            {"label": _("Cases started"), "data": [m.started for m in trend]},
            {"label": _("Cases ended"), "data": [m.ended for m in trend]},
            {"label": _("Work items completed"), "data": [m.completed for m in trend]},
            {"label": _("Completed late"), "data": [m.late for m in trend]}]},
        "rates": {"labels": [a.name for a in rated], "label": _("On-time rate (%)"),
                  "data": [round(a.work.on_time_rate * 100, 1) for a in rated]},
    }


@web_bp.route("/statistics")
@roles_required(*ROLES)
def show_statistics() -> Any:
    """Figures per process, agency, task and month for the period and scope picked."""
    asked = _ask(signed_in_user())
    figures = asked.figures
    page = render_template(
        "statistics/index.html", q=asked.query, choices=asked.choices, processes=asked.processes, figures=figures,
        labels=Labels(labels(db.session), _("No outcome recorded")) if figures else None, days=_days, rate=_rate,
        charts=_charts(figures) if figures else None, export_query=request.query_string.decode())
    return (page, 400) if asked.query.errors else page


def _workbook_answer(build: Callable[[Asked], bytes], *stems: str) -> Any:
    """The workbook `build` makes of the figures asked for, as a download; the page's error when none."""
    asked = _ask(signed_in_user())
    if asked.figures is None:
        return error_page(400, " ".join(asked.query.errors))
    return Response(build(asked), mimetype=MEDIA_TYPE, headers={"Content-Disposition": filename(asked.figures.period,
                                                                                                *stems)})


@web_bp.route("/statistics/export.xlsx")
@roles_required(*ROLES)
def export_statistics() -> Any:
    """The same figures as an .xlsx workbook (Chinese sheet names and headers)."""
    return _workbook_answer(lambda asked: workbook(db.session, asked.figures, labels(db.session),
                                                  asked.query.process or None))


@web_bp.route("/statistics/review.xlsx")
@roles_required(*ROLES)
def export_review() -> Any:
    """The performance review (绩效考核): one sheet per agency with the indicators the diagrams declare."""
    return _workbook_answer(lambda asked: review_workbook(db.session, asked.figures, labels(db.session)),
                            "review", "绩效考核")
