"""The statistics page and its .xlsx export: the figures of the four lead_check cases (tests/test_statistics.py),
as the tables show them and as the workbook holds them; who may see them; a bad choice said on the page."""

from __future__ import annotations

import html
import re
from io import BytesIO
from urllib.parse import quote

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.test_statistics import Cases, cases  # noqa: F401  (the fixture)
from tests.test_web_pages import sign_in

H1 = "kind=half&year=2026&half=H1"
JULY = "kind=month&year=2026&month=07"
NAME = "线索核查（统计测试）"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(page: str, table: str, key: str) -> dict[str, str]:
    """The cells of one row of a table (by its data-key), by their data-col, as text."""
    body = page.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    found = re.search(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', body, re.S)
    assert found, f"no row {key} in {table}"
    cells = re.findall(r'<td data-col="(\w+)">(.*?)</td>', found.group(1), re.S)
    return {col: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for col, text in cells}


def has(cells: dict[str, str], **expected: str) -> bool:
    return {col: cells.get(col) for col in expected} == expected


def keys(page: str, table: str) -> list[str]:
    """The data-keys of a table's rows, in order."""
    body = page.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-key="([^"]+)">', body)


def signed_in(app: Flask, username: str) -> FlaskClient:
    """A browser of its own for one user.

    The test's application context outlives the requests, and Flask-WTF keeps the CSRF token it made in `g`:
    dropped, so the next client's sign-in page puts a token of its own in its own session.
    """
    g.pop("csrf_token", None)
    client = app.test_client()
    sign_in(client, username)
    return client


def page(app: Flask, username: str, query: str, status: int = 200) -> str:
    """The page as one user sees it."""
    response = signed_in(app, username).get(f"/statistics?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_the_first_half_year_as_a_supervisor_sees_it(cases: Cases, app: Flask) -> None:  # noqa: F811
    text = page(app, "jd_supervisor", f"{H1}&process=lead_check")
    assert "2026-01-01 至 2026-06-30" in text and "导出 Excel" in text
    assert row(text, "stats-processes", "lead_check") == {
        "started": "3", "ended": "2", "outcomes": "不予立案 1 侦查终结 1", "cancelled": "0", "open": "1",
        "median": "11.0 天", "p90": "18.0 天"}
    assert row(text, "stats-process-work", "lead_check") == {
        "completed": "6", "with_deadline": "6", "on_time": "5", "late": "1", "rate": "83.3%", "escalations": "0",
        "extensions": "0", "measures": "登记线索 3 不予立案 1 立案 1"}
    assert row(text, "stats-agencies", "jd_msa")["started"] == "2"
    assert row(text, "stats-agencies", "jd_police") == {
        "started": "0", "ended": "0", "outcomes": "—", "completed": "3", "on_time": "3", "late": "0", "rate": "100.0%",
        "escalations": "0", "extensions": "0", "measures": "不予立案 1 立案 1"}
    register = row(text, "stats-tasks", "lead_check/task_register")
    assert (register["completed"], register["late"]) == ("3", "1")
    assert (register["median"], register["p90"]) == ("1.6 天", "9.0 天")  # 37.5 and 217 hours
    assert row(text, "stats-trend", "2026-03") == {"started": "1", "ended": "1", "completed": "3", "late": "0"}
    assert row(text, "stats-trend", "2026-06") == {"started": "1", "ended": "0", "completed": "1", "late": "0"}
    assert 'id="statistics-charts"' in text and 'id="chart-trend"' in text
    assert "<script>" not in text and " onclick=" not in text  # no inline code (Content-Security-Policy)


def test_july_and_one_agency(cases: Cases, app: Flask) -> None:  # noqa: F811
    text = page(app, "jd_supervisor", JULY)
    assert has(row(text, "stats-processes", "lead_check"), started="1", ended="1", open="1", outcomes="不予立案 1")
    work = row(text, "stats-process-work", "lead_check")
    assert (work["completed"], work["late"], work["rate"], work["escalations"], work["extensions"]) == \
        ("3", "1", "66.7%", "1", "1")
    assert has(row(text, "stats-agencies", "cn_police"), escalations="1", late="1")
    assert has(row(text, "stats-agencies", "jd_police"), extensions="1", on_time="1")
    assert keys(text, "stats-trend") == ["2026-07"]
    one = page(app, "jd_supervisor", f"{H1}&scope=agency:jd_msa")
    assert has(row(one, "stats-processes", "lead_check"), started="2", ended="2", open="0")
    assert keys(one, "stats-agencies") == ["jd_msa"]
    assert '<option value="agency:jd_msa" selected>' in one


def test_a_named_period_as_the_api_names_it(cases: Cases, app: Flask) -> None:  # noqa: F811
    text = page(app, "jd_supervisor", "period=2026-07&process=lead_check")
    assert row(text, "stats-processes", "lead_check")["started"] == "1"
    assert '<option value="month" selected>' in text and '<option value="07" selected>' in text


def test_a_leader_picks_among_the_own_offices_only(cases: Cases, app: Flask) -> None:  # noqa: F811
    text = page(app, "sh_ipo_liaison", JULY)  # 上海市知识产权局: 嘉定 and 长宁 market supervision below it
    assert has(row(text, "stats-processes", "lead_check"), started="1", ended="1", open="1")
    assert re.findall(r'<option value="agency:(\w+)"', text) == ["cn_msa", "jd_msa", "sh_ipo"]
    assert 'value="jurisdiction:嘉定区"' not in text  # 嘉定 police is in it: not all visible
    refused = page(app, "sh_ipo_liaison", f"{JULY}&scope=agency:jd_police", status=400)
    assert "请从列表中选择机构或辖区" in refused and 'data-testid="stats-processes"' not in refused


@pytest.mark.parametrize(("query", "message"), [
    ("kind=month&year=20x6&month=07", "年份请填写四位数字"),
    ("kind=month&year=2026&month=13", "请从列表中选择半年、季度或月份"),
    ("kind=range&from=2026-07-10&to=2026-07-01", "截止日期早于起始日期"),
    ("kind=range&from=yesterday&to=2026-07-01", "日期格式"),
    ("kind=decade", "请从列表中选择期间类型"),
    ("period=2026-H3", "不是年份"),
    ("kind=year&year=2026&process=nope", "请从列表中选择流程"),
])
def test_a_bad_choice_is_said_on_the_page(cases: Cases, app: Flask, query: str, message: str) -> None:  # noqa: F811
    client = signed_in(app, "jd_supervisor")
    response = client.get(f"/statistics?{query}")
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and message in text
    assert 'data-testid="statistics-error"' in text and 'data-testid="statistics-form"' in text
    assert client.get(f"/statistics/export.xlsx?{query}").status_code == 400


def test_an_empty_period_says_so(cases: Cases, app: Flask) -> None:  # noqa: F811
    text = page(app, "jd_supervisor", "kind=year&year=2025")
    assert "本期间没有启动、结束或未结的案件" in text and "本期间没有办结的工作项" in text


def test_who_may_see_the_page(cases: Cases, app: Flask, client: FlaskClient) -> None:  # noqa: F811
    response = client.get("/statistics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/statistics/export.xlsx").status_code == 302
    liaison = signed_in(app, "jd_msa_liaison")
    assert liaison.get("/statistics").status_code == 403
    assert liaison.get("/statistics/export.xlsx").status_code == 403
    assert "/statistics" not in liaison.get("/work-items").get_data(as_text=True)
    leader = signed_in(app, "jd_msa_leader")
    assert leader.get("/statistics").status_code == 200
    assert 'href="/statistics"' in leader.get("/work-items").get_data(as_text=True)


def _workbook(response):  # noqa: ANN001, ANN202
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    return load_workbook(BytesIO(response.get_data()))


def test_the_export_holds_the_same_figures(cases: Cases, client: FlaskClient) -> None:  # noqa: F811
    sign_in(client, "jd_supervisor")
    response = client.get(f"/statistics/export.xlsx?{H1}&process=lead_check")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="statistics_2026-H1.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote('协同统计_2026-H1.xlsx')}" in disposition
    book = _workbook(response)
    assert book.sheetnames == ["按流程", "按机构", "按环节", "按月趋势"]
    sheet = book["按流程"]
    assert [sheet["A1"].value, sheet["B1"].value] == ["统计期间", "2026-01-01 至 2026-06-30（2026-H1）"]
    assert [sheet["B2"].value, sheet["B3"].value] == ["全部可见机构", NAME]
    headers = [c.value for c in sheet[5]]
    assert headers[:6] == ["流程名称", "流程标识", "启动案件", "结束案件", "其中撤销", "期末未结"]
    figures = dict(zip(headers, [c.value for c in sheet[6]], strict=True))
    assert [figures[h] for h in ("启动案件", "结束案件", "期末未结", "完成工作项", "超期办结")] == [3, 2, 1, 6, 1]
    assert figures["按期率"] == pytest.approx(5 / 6)
    assert sheet.cell(6, headers.index("按期率") + 1).number_format == "0.0%"
    assert (figures["办理时长中位数（天）"], figures["办理时长90分位（天）"]) == (11.0, 18.0)
    breakdown = {(r[1], r[2]): r[4] for r in sheet.iter_rows(min_row=8, values_only=True) if r[0] == NAME}
    assert breakdown == {("结果", "不予立案"): 1, ("结果", "侦查终结"): 1, ("措施", "登记线索"): 3,
                         ("措施", "不予立案"): 1, ("措施", "立案"): 1}
    agencies = {r[1]: r for r in book["按机构"].iter_rows(min_row=6, values_only=True) if r and r[1]}
    assert agencies["jd_msa"][2:8] == (2, 2, 2, 2, 1, 1)
    tasks = {r[2]: r for r in book["按环节"].iter_rows(min_row=6, values_only=True)}
    assert tasks["task_register"][1] == "登记线索" and tasks["task_register"][3:7] == (3, 3, 2, 1)
    trend = [r for r in book["按月趋势"].iter_rows(min_row=5, values_only=True)]
    assert trend[0] == ("月份", "启动案件", "结束案件", "完成工作项", "超期办结")
    assert ("2026-03", 1, 1, 3, 0) in trend and len(trend) == 7


def test_the_api_gives_the_same_workbook(cases: Cases, client: FlaskClient, auth) -> None:  # noqa: ANN001, F811
    response = client.get("/api/v1/statistics/export.xlsx?from=2026-07-01&to=2026-07-31&agency=cn_police",
                          headers=auth.headers("jd_supervisor"))
    assert "statistics_2026-07.xlsx" in response.headers["Content-Disposition"]
    book = _workbook(response)
    assert book["按机构"]["B2"].value.startswith("机构：")
    (agency,) = [r for r in book["按机构"].iter_rows(min_row=6, values_only=True) if r and r[1] == "cn_police"]
    assert agency[2:] == (0, 0, 1, 1, 0, 1, 0.0, 1, 0)
    refused = client.get("/api/v1/statistics/export.xlsx?period=2026", headers=auth.headers("jd_msa_liaison"))
    assert refused.status_code == 403 and refused.is_json
    bad = client.get("/api/v1/statistics/export.xlsx?period=2026-H3", headers=auth.headers("jd_supervisor"))
    assert bad.status_code in (400, 422) and bad.is_json


def test_the_performance_review_has_a_sheet_per_agency_with_its_indicators(cases, client, auth) -> None:  # noqa: ANN001, F811
    """绩效考核: the measures and the kpi's on-time rate the diagram declares, per agency (API and page alike)."""
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get("/api/v1/statistics/review.xlsx?period=2026-H1&process=lead_check",
                          headers=auth.headers("jd_supervisor"))
    assert response.status_code == 200
    assert "%E7%BB%A9%E6%95%88%E8%80%83%E6%A0%B8_2026-H1.xlsx" in response.headers["Content-Disposition"]  # 绩效考核
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["长宁区市场监督管理局", "嘉定区市场监督管理局", "上海市公安局嘉定分局"]
    police = {row[0].value: [c.value for c in row[1:5]] for row in book["上海市公安局嘉定分局"].iter_rows(min_row=5)}
    assert police["法定时限环节"] == [2, 2, 0, 1.0]  # the two reviews of 审查是否立案, both on time
    assert police["立案"] == [1, None, None, None] and police["不予立案"] == [1, None, None, None]
    assert police["全部工作项"][:3] == [3, 3, 0]
    (rate,) = [row[4] for row in book["上海市公安局嘉定分局"].iter_rows(min_row=5) if row[0].value == "法定时限环节"]
    assert rate.number_format == "0.0%"
    bureau = {row[0].value: row[1].value for row in book["嘉定区市场监督管理局"].iter_rows(min_row=5)}
    assert (bureau["启动案件"], bureau["登记线索"], bureau["结果：侦查终结"]) == (2, 2, 1)
    refused = client.get("/api/v1/statistics/review.xlsx?period=2026", headers=auth.headers("jd_msa_liaison"))
    assert refused.status_code == 403


def test_the_page_offers_the_review_for_the_same_choice(cases: Cases, app: Flask) -> None:  # noqa: F811
    client = signed_in(app, "jd_supervisor")
    text = client.get("/statistics?period=2026-H1").get_data(as_text=True)
    assert "绩效考核表" in text and "/statistics/review.xlsx?period=2026-H1" in text
    review = client.get("/statistics/review.xlsx?period=2026-H1")
    assert review.status_code == 200 and review.data[:2] == b"PK"  # a zip: the .xlsx
