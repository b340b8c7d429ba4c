"""The statistics as an .xlsx workbook: the page's tables, one sheet each, with Chinese headers.

Built from the `Statistics` the page and the API show (workflows.statistics.report), never counted again.
Counts are numbers, rates percentages (number format 0.0%), durations days (0.0); the period, the scope
and the process head every sheet. Both the page (/statistics/export.xlsx) and the API
(/api/v1/statistics/export.xlsx) answer with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.deployment.catalog import latest_definitions
from workflows.models import Agency
from workflows.statistics.figures import Durations, Statistics, WorkTally
from workflows.statistics.periods import StatPeriod

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY = 86400.0
NO_OUTCOME = "无结果记录"  # ended before outcomes were recorded, or at an end event without one
RATE, DAYS = "0.0%", "0.0"
WORK_HEADERS = ["完成工作项", "有办理期限", "按期办结", "超期办结", "按期率"]


class Labels:
    """Outcome and measure codes to the names the diagrams give them (workflows.statistics.report.labels)."""

    def __init__(self, by_process: dict[str, dict[str, Any]], no_outcome: str = NO_OUTCOME) -> None:
        self.by_process, self.no_outcome = by_process, no_outcome

    def of(self, kind: str, process: str | None, code: str) -> str:
        """The name of an outcome or measure code; of any process when none is given (names joined if they differ)."""
        if kind == "outcomes" and not code:
            return self.no_outcome
        if process is not None:
            return self.by_process.get(process, {}).get(kind, {}).get(code, code)
        names = dict.fromkeys(named[kind][code] for named in self.by_process.values() if code in named.get(kind, {}))
        return "/".join(names) or code


def days(seconds: float | None) -> float | None:
    """Seconds as days, one decimal."""
    return None if seconds is None else round(seconds / DAY, 1)


def filename(period: StatPeriod, ascii_stem: str = "statistics", stem: str = "协同统计") -> str:
    """Content-Disposition naming the period: an ASCII name and the Chinese one (RFC 5987)."""
    return (f'attachment; filename="{ascii_stem}_{period.name}.xlsx"; '
            f"filename*=UTF-8''{quote(f'{stem}_{period.name}.xlsx')}")


def describe(session: Session, figures: Statistics, process: str | None, process_names: dict[str, str]) -> list[
        tuple[str, str]]:
    """The heading rows: the period, the scope and the process, in Chinese."""
    period, scope = figures.period, figures.scope
    named = "" if "_" in period.name else f"（{period.name}）"
    if scope.agency:
        agency = session.scalar(select(Agency.name).where(Agency.code == scope.agency)) or scope.agency
        where = f"机构：{agency}"
    elif scope.jurisdiction:
        where = f"辖区：{scope.jurisdiction}"
    else:
        where = "全部可见机构"
    return [("统计期间", f"{period.first.isoformat()} 至 {period.last.isoformat()}{named}"),
            ("统计范围", where),
            ("流程", process_names.get(process, process) if process else "全部流程")]


def _sheet(book: Workbook, title: str, heading: list[tuple[str, str]], headers: list[str],
           rows: Iterable[list[Any]], formats: dict[int, str]) -> Worksheet:
    """A sheet: the heading rows, a blank row, the bold headers, the rows (formats by column number from 1)."""
    sheet = book.create_sheet(title)
    for label, value in heading:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])
    _table(sheet, headers, rows, formats)
    sheet.freeze_panes = sheet.cell(len(heading) + 3, 1)
    for n, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, n).column_letter].width = max(10, 2 * len(header) + 4)
    sheet.column_dimensions["B"].width = max(sheet.column_dimensions["B"].width, 30)
    return sheet


def _table(sheet: Worksheet, headers: list[str], rows: Iterable[list[Any]], formats: dict[int, str]) -> None:
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    empty = True
    for row in rows:
        empty = False
        sheet.append(row)
        for column, number_format in formats.items():
            sheet.cell(sheet.max_row, column).number_format = number_format
    if empty:
        sheet.append(["本期间无数据"])


def _work(work: WorkTally) -> list[Any]:
    return [work.completed, work.with_deadline, work.on_time, work.late, work.on_time_rate]


def _durations(duration: Durations) -> list[Any]:
    return [days(duration.median), days(duration.p90)]


def _breakdown(sheet: Worksheet, who: str, entries: list[tuple[str, str, str, str, int]]) -> None:
    """Below a table: each outcome and measure with its count, one row each."""
    sheet.append([])
    _table(sheet, [who, "类别", "名称", "代码", "数量"], [list(e) for e in entries], {})


def workbook(session: Session, figures: Statistics, labels: dict[str, dict[str, Any]],
             process: str | None = None) -> bytes:
    """The .xlsx of the figures: 按流程, 按机构, 按环节, 按月趋势."""
    named = Labels(labels)
    names = {d.key: d.name for d in latest_definitions(session)} | {p.key: p.name for p in figures.processes}
    heading = describe(session, figures, process, names)
    book = Workbook()
    book.remove(book.active)
    sheet = _sheet(book, "按流程", heading, [
        "流程名称", "流程标识", "启动案件", "结束案件", "其中撤销", "期末未结", "办理时长中位数（天）",
        "办理时长90分位（天）", *WORK_HEADERS, "督办", "延期"],
        ([p.name, p.key, p.started, p.ended, p.cancelled, p.open_at_end, *_durations(p.duration), *_work(p.work),
          p.escalations, p.extensions] for p in figures.processes), {7: DAYS, 8: DAYS, 13: RATE})
    _breakdown(sheet, "流程名称", [
        (p.name, kind_name, named.of(kind, p.key, code), code, n)
        for p in figures.processes
        for kind, kind_name, counts in (("outcomes", "结果", p.outcomes), ("measures", "措施", p.measures))
        for code, n in sorted(counts.items())])
    sheet = _sheet(book, "按机构", heading, [
        "机构名称", "机构代码", "启动案件", "结束案件", *WORK_HEADERS, "督办", "延期"],
        ([a.name, a.code, a.started, a.ended, *_work(a.work), a.escalations, a.extensions] for a in figures.agencies),
        {9: RATE})
    _breakdown(sheet, "机构名称", [
        (a.name, kind_name, named.of(kind, process, code), code, n)
        for a in figures.agencies
        for kind, kind_name, counts in (("outcomes", "结果", a.outcomes), ("measures", "措施", a.measures))
        for code, n in sorted(counts.items())])
    _sheet(book, "按环节", heading, [
        "流程名称", "环节", "环节标识", *WORK_HEADERS, "用时中位数（天）", "用时90分位（天）"],
        ([names.get(t.process_key, t.process_key), t.title, t.task, *_work(t.work), *_durations(t.duration)]
         for t in figures.tasks), {8: RATE, 9: DAYS, 10: DAYS})
    _sheet(book, "按月趋势", heading, ["月份", "启动案件", "结束案件", "完成工作项", "超期办结"],
           ([m.month, m.started, m.ended, m.completed, m.late] for m in figures.trend), {})
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(name: str, taken: set[str]) -> str:
    """An agency's name as a sheet title: without the characters Excel forbids, at most 31, unique."""
    title = "".join(c for c in name if c not in '[]:*?/\\')[:28] or "机构"
    candidate, n = title, 2
    while candidate in taken:
        candidate, n = f"{title[:26]}({n})", n + 1
    taken.add(candidate)
    return candidate


def review_workbook(session: Session, figures: Statistics, labels: dict[str, dict[str, Any]]) -> bytes:
    """The performance review (绩效考核): one sheet per agency with its indicators for the period.

    The indicators are what the diagrams declare (docs/diagrams.md §9): the measures (e.g. 移送, 反馈),
    the on-time rate of the tasks each `kpi` names (e.g. 法定时限环节, 工作报告), and the cases and work.
    """
    named = Labels(labels)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    period = describe(session, figures, None, {})[0]
    for agency in figures.agencies:
        rows: list[list[Any]] = [["启动案件", agency.started], ["结束案件", agency.ended]]
        rows += [[f"结果：{named.of('outcomes', None, code)}", n] for code, n in sorted(agency.outcomes.items())]
        rows += [[named.of("measures", None, code), n] for code, n in sorted(agency.measures.items())]
        rows += [[named.of("kpis", None, code), work.completed, work.on_time, work.late, work.on_time_rate]
                 for code, work in sorted(agency.kpis.items())]
        rows += [["全部工作项", agency.work.completed, agency.work.on_time, agency.work.late, agency.work.on_time_rate],
                 ["督办", agency.escalations], ["延期", agency.extensions]]
        _sheet(book, _sheet_title(agency.name, taken), [period, ("机构", f"{agency.name}（{agency.code}）")],
               ["指标", "数量", "按期", "超期", "按期率"], rows, {5: RATE})
    if not figures.agencies:
        _sheet(book, "绩效考核", [period], ["指标", "数量", "按期", "超期", "按期率"], [], {})
    out = BytesIO()
    book.save(out)
    return out.getvalue()
