"""Statistics for other systems: the figures of a period and a scope, as the statistics page shows them."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_login import login_required
from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length

from app.api.blueprint import Blueprint
from app.api.docs import answers
from app.auth import acting_user
from app.extensions import db
from app.statistics_export import MEDIA_TYPE, filename, review_workbook, workbook
from workflows.clock import now
from workflows.deadlines.calendar import SHANGHAI
from workflows.statistics.figures import Statistics
from workflows.statistics.periods import day_range, named_period
from workflows.statistics.report import labels, statistics

blp = Blueprint("statistics", __name__, url_prefix="/api/v1/statistics",
                description="Figures over a period for supervisors, leaders and admins")


class StatisticsQuerySchema(Schema):
    """A named period or a range of days (default: this year), and an optional scope and process."""

    period = fields.String(validate=Length(max=10), metadata={"description": "2026, 2026-H1, 2026-Q3 or 2026-05"})
    from_ = fields.Date(data_key="from", metadata={"description": "first day (with `to`), China time"})
    to = fields.Date(metadata={"description": "last day, included"})
    agency = fields.String(validate=Length(max=64), metadata={"description": "one agency's code"})
    jurisdiction = fields.String(validate=Length(max=100),
                                 metadata={"description": "the agencies of one jurisdiction, e.g. 嘉定区"})
    process = fields.String(validate=Length(max=100), metadata={"description": "one process key"})

    @validates_schema
    def _one_period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("period") and (data.get("from_") or data.get("to")):
            raise ValidationError("give a period or from/to, not both", "period")
        if bool(data.get("from_")) != bool(data.get("to")):
            raise ValidationError("from and to go together", "to")
        if data.get("agency") and data.get("jurisdiction"):
            raise ValidationError("give an agency or a jurisdiction, not both", "agency")


class WorkSchema(Schema):
    completed = fields.Integer()
    with_deadline = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "on time / with deadline; null: none"})


class DurationSchema(Schema):
    median = fields.Float(allow_none=True, metadata={"description": "seconds, nearest rank; null: none ended"})
    p90 = fields.Float(allow_none=True, metadata={"description": "seconds, 90th percentile"})


class ProcessFiguresSchema(Schema):
    key = fields.String()
    name = fields.String()
    started = fields.Integer()
    ended = fields.Integer()
    open_at_end = fields.Integer()
    cancelled = fields.Integer()
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(),
                           metadata={"description": "outcome code ('' : ended without one) -> cases"})
    duration = fields.Nested(DurationSchema)
    work = fields.Nested(WorkSchema)
    escalations = fields.Integer()
    extensions = fields.Integer()
    measures = fields.Dict(keys=fields.String(), values=fields.Integer())


class TaskFiguresSchema(Schema):
    process_key = fields.String()
    task = fields.String()
    title = fields.String()
    work = fields.Nested(WorkSchema)
    duration = fields.Nested(DurationSchema)


class AgencyFiguresSchema(Schema):
    code = fields.String()
    name = fields.String()
    started = fields.Integer()
    ended = fields.Integer()
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())
    work = fields.Nested(WorkSchema)
    escalations = fields.Integer()
    extensions = fields.Integer()
    measures = fields.Dict(keys=fields.String(), values=fields.Integer())


class MonthSchema(Schema):
    month = fields.String()
    started = fields.Integer()
    ended = fields.Integer()
    completed = fields.Integer()
    late = fields.Integer()


class LabelsSchema(Schema):
    outcomes = fields.Dict(keys=fields.String(), values=fields.String())
    measures = fields.Dict(keys=fields.String(), values=fields.String())


class StatisticsSchema(Schema):
    first_day = fields.Date(attribute="period.first")
    last_day = fields.Date(attribute="period.last")
    agency = fields.String(attribute="scope.agency", allow_none=True)
    jurisdiction = fields.String(attribute="scope.jurisdiction", allow_none=True)
    processes = fields.List(fields.Nested(ProcessFiguresSchema))
    tasks = fields.List(fields.Nested(TaskFiguresSchema))
    agencies = fields.List(fields.Nested(AgencyFiguresSchema))
    trend = fields.List(fields.Nested(MonthSchema))
    labels = fields.Dict(keys=fields.String(), values=fields.Nested(LabelsSchema),
                         metadata={"description": "per process: outcome and measure codes -> the names"})


def _figures(args: dict[str, Any]) -> Statistics:
    """The figures the query asks for (this year when it names no period)."""
    if args.get("from_"):
        period = day_range(args["from_"], args["to"])
    else:
        period = named_period(args.get("period") or str(now().astimezone(SHANGHAI).year))
    return statistics(db.session, acting_user(), period, agency=args.get("agency"),
                      jurisdiction=args.get("jurisdiction"), process=args.get("process"))


@blp.route("")
@login_required
@answers(403, 404)
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, StatisticsSchema)
def get_statistics(args: dict[str, Any]) -> Any:
    """Cases started, ended by outcome and open; work on time and late; escalations, extensions, measures; by month.

    Cases count for the agency that started them, work items for the agency whose queue they were in,
    measures for the agency that moved the case past them (docs/diagrams.md §9).
    """
    figures = _figures(args)
    shown = {p.key for p in figures.processes}
    return {**vars(figures), "labels": {key: named for key, named in labels(db.session).items() if key in shown}}


@blp.route("/export.xlsx")
@login_required
@answers(403, 404)
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, content_type=MEDIA_TYPE, description="The workbook: sheets 按流程, 按机构, 按环节, 按月趋势")
def export_statistics(args: dict[str, Any]) -> Any:
    """The same figures as an .xlsx workbook, as the statistics page exports it (Chinese sheet names and headers).

    Counts are numbers, rates percentages, durations days; the period, scope and process head each sheet.
    """
    figures = _figures(args)
    content = workbook(db.session, figures, labels(db.session), args.get("process"))
    return Response(content, mimetype=MEDIA_TYPE, headers={"Content-Disposition": filename(figures.period)})


@blp.route("/review.xlsx")
@login_required
@answers(403, 404)
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, content_type=MEDIA_TYPE, description="The performance review: one sheet per agency")
def export_review(args: dict[str, Any]) -> Any:
    """The performance review (绩效考核) of the period: one sheet per agency of the scope, with the indicators
    the diagrams declare (measures, the on-time rate of each kpi's tasks) and its cases and work."""
    figures = _figures(args)
    content = review_workbook(db.session, figures, labels(db.session))
    return Response(content, mimetype=MEDIA_TYPE,
                    headers={"Content-Disposition": filename(figures.period, "review", "绩效考核")})
