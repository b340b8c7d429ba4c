"""Statistics from a process only a test diagram declares: cases, outcomes, work on time and late, measures.

Four cases of `tests/data/statistics/lead_check.bpmn` on a fake clock, counted for the first half of 2026
and for July, for everything, one agency and a leader's offices (tests/test_statistics_scope.py has the
refusals). Times are Shanghai's: case D starts at 00:30 on 1 July, still 30 June in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from workflows.clock import set_clock
from workflows.deadlines.calendar import SHANGHAI
from workflows.deployment.deploy import deploy
from workflows.models import User, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.statistics.periods import StatPeriod, named_period
from workflows.statistics.report import labels, statistics
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.instances import start_instance
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete

FOLDER = Path(__file__).parent / "data" / "statistics"
H1, JULY = named_period("2026-H1"), named_period("2026-07")
HOUR = 3600.0


def local(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Cases:
    """Drives lead_check cases through the services at given local times."""

    def __init__(self, session) -> None:  # noqa: ANN001
        self.session = session

    def user(self, username: str) -> User:
        return self.session.scalars(select(User).where(User.username == username)).one()

    def at(self, text: str) -> None:
        moment = local(text)
        set_clock(lambda: moment)

    def start(self, when: str, starter: str, process: str = "lead_check") -> int:
        self.at(when)
        return start_instance(self.session, self.user(starter), process, data={}).id

    def item(self, instance_id: int) -> WorkItem:
        return self.session.scalars(select(WorkItem).where(WorkItem.instance_id == instance_id,
                                                           WorkItem.status.in_(ACTIVE_STATUSES))).one()

    def done(self, instance_id: int, when: str, username: str, **data: str) -> None:
        self.at(when)
        user, item = self.user(username), self.item(instance_id)
        claim(self.session, user, item)
        complete(self.session, user, item, data)


@pytest.fixture
def cases(session, demo) -> Cases:  # noqa: ANN001
    """The four cases: A filed and investigated, B declined late, C filed late after an escalation, D extended."""
    forms = {f.name: f.read_bytes() for f in FOLDER.glob("*.json")}
    deploy(session, (FOLDER / "lead_check.bpmn").read_bytes(), forms, None)
    c = Cases(session)
    a = c.start("2026-03-02 09:00", "jd_msa_liaison")
    c.done(a, "2026-03-03 10:00", "jd_msa_liaison")
    c.done(a, "2026-03-05 11:00", "jd_police_liaison", decision="file")
    c.done(a, "2026-03-20 09:00", "jd_police_liaison")
    b = c.start("2026-04-01 09:00", "jd_msa_liaison")
    c.done(b, "2026-04-10 10:00", "jd_msa_liaison")  # 3 days: late
    c.done(b, "2026-04-12 10:00", "jd_police_liaison", decision="decline")
    cc = c.start("2026-06-29 10:00", "cn_msa_liaison")
    c.done(cc, "2026-06-30 23:30", "cn_msa_liaison")
    d = c.start("2026-07-01 00:30", "jd_msa_liaison")
    c.done(d, "2026-07-01 09:00", "jd_msa_liaison")
    c.at("2026-07-05 15:00")
    extend_deadline(session, c.user("jd_police_leader"), c.item(d), "需要补充调取证据", "陈刚")
    c.at("2026-07-15 10:00")
    fire_due_timers(session)  # C's review, due at the end of 10 July, is escalated to 长宁 market supervision
    c.done(d, "2026-07-14 16:00", "jd_police_liaison", decision="decline")
    c.done(cc, "2026-07-20 10:00", "cn_police_liaison", decision="file")  # late
    session.commit()
    return c


def figures(c: Cases, username: str, period: StatPeriod, **scope: str):  # noqa: ANN201
    return statistics(c.session, c.user(username), period, process="lead_check", **scope)


def test_the_first_half_year_for_everything(cases: Cases) -> None:
    got = figures(cases, "jd_supervisor", H1)
    (process,) = got.processes
    assert (process.key, process.started, process.ended, process.open_at_end, process.cancelled) == \
        ("lead_check", 3, 2, 1, 0)
    assert process.outcomes == {"investigated": 1, "declined": 1}
    assert (process.work.completed, process.work.with_deadline, process.work.on_time, process.work.late) == (6, 6, 5, 1)
    assert process.work.on_time_rate == pytest.approx(5 / 6)
    assert (process.escalations, process.extensions) == (0, 0)
    assert process.measures == {"lead_registered": 3, "police_filed": 1, "police_declined": 1}
    # A took 18 days (2 March 09:00 to 20 March 09:00), B 11 days and 1 hour: nearest rank of two.
    assert (process.duration.median, process.duration.p90) == (pytest.approx(11 * 24 * HOUR + HOUR),
                                                               pytest.approx(18 * 24 * HOUR))


def test_each_agency_and_task_in_the_half_year(cases: Cases) -> None:
    got = figures(cases, "jd_supervisor", H1)
    by_code = {a.code: a for a in got.agencies}
    assert sorted(by_code) == ["cn_msa", "jd_msa", "jd_police"]
    jd, cn, police = by_code["jd_msa"], by_code["cn_msa"], by_code["jd_police"]
    assert (jd.started, jd.ended, jd.outcomes, jd.work.completed, jd.work.late) == \
        (2, 2, {"investigated": 1, "declined": 1}, 2, 1)
    assert (cn.started, cn.ended, cn.work.completed, cn.work.late) == (1, 0, 1, 0)
    assert (police.started, police.work.completed, police.work.on_time) == (0, 3, 3)
    assert jd.measures == {"lead_registered": 2} and police.measures == {"police_filed": 1, "police_declined": 1}
    # The review's indicator: only the task declaring kpi="statutory" (审查是否立案) counts towards it.
    statutory = police.kpis["statutory"]
    assert (statutory.completed, statutory.on_time, statutory.late) == (2, 2, 0) and jd.kpis == {}
    tasks = {t.task: t for t in got.tasks}
    register = tasks["task_register"]
    assert (register.title, register.work.completed, register.work.late) == ("登记线索", 3, 1)
    # 25 h (A), 37.5 h (C), 217 h (B): the median is C's, the 90th percentile B's.
    assert (register.duration.median, register.duration.p90) == (pytest.approx(37.5 * HOUR), pytest.approx(217 * HOUR))
    assert (tasks["task_review"].work.completed, tasks["task_investigate"].work.completed) == (2, 1)


def test_the_trend_counts_by_month_in_china(cases: Cases) -> None:
    got = figures(cases, "jd_supervisor", H1)
    months = {m.month: (m.started, m.ended, m.completed, m.late) for m in got.trend}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert months["2026-03"] == (1, 1, 3, 0)
    assert months["2026-04"] == (1, 1, 2, 1)
    assert months["2026-06"] == (1, 0, 1, 0)  # D started on 30 June in UTC: July in Shanghai
    assert months["2026-01"] == months["2026-05"] == (0, 0, 0, 0)


def test_july_escalation_extension_and_a_case_open_at_its_end(cases: Cases) -> None:
    got = figures(cases, "jd_supervisor", JULY)
    (process,) = got.processes
    assert (process.started, process.ended, process.open_at_end, process.outcomes) == (1, 1, 1, {"declined": 1})
    assert (process.work.completed, process.work.on_time, process.work.late) == (3, 2, 1)
    assert (process.escalations, process.extensions) == (1, 1)
    assert process.measures == {"lead_registered": 1, "police_filed": 1, "police_declined": 1}
    by_code = {a.code: a for a in got.agencies}
    assert (by_code["cn_police"].escalations, by_code["cn_police"].work.late) == (1, 1)
    assert by_code["cn_police"].kpis["statutory"].on_time_rate == 0.0
    assert (by_code["jd_police"].extensions, by_code["jd_police"].work.on_time) == (1, 1)
    assert [(m.month, m.started, m.ended, m.completed) for m in got.trend] == [("2026-07", 1, 1, 3)]


def test_one_agency_counts_only_what_is_attributed_to_it(cases: Cases) -> None:
    got = figures(cases, "jd_supervisor", H1, agency="jd_msa")
    (process,) = got.processes
    assert (process.started, process.ended, process.open_at_end) == (2, 2, 0)
    assert (process.work.completed, process.work.late) == (2, 1)
    assert process.measures == {"lead_registered": 2}
    assert [a.code for a in got.agencies] == ["jd_msa"]


def test_a_leader_sees_the_own_office_and_its_subordinate_bureaus(cases: Cases) -> None:
    got = figures(cases, "sh_ipo_liaison", JULY)  # 上海市知识产权局: parent of 嘉定 and 长宁 market supervision
    (process,) = got.processes
    assert (process.started, process.ended, process.open_at_end) == (1, 1, 1)
    assert (process.work.completed, process.escalations, process.extensions) == (1, 0, 0)
    assert process.measures == {"lead_registered": 1}
    own = figures(cases, "jd_msa_leader", H1)  # 嘉定 market supervision has no subordinate office
    assert [(a.code, a.started, a.work.completed) for a in own.agencies] == [("jd_msa", 2, 2)]
    jurisdiction = figures(cases, "jd_supervisor", JULY, jurisdiction="长宁区")
    assert [(a.code, a.work.completed, a.escalations) for a in jurisdiction.agencies] == [("cn_police", 1, 1)]


def test_outcomes_stay_on_the_case_and_labels_come_from_the_diagram(cases: Cases) -> None:
    from workflows.models import ProcessInstance

    outcomes = sorted(o or "" for o in cases.session.scalars(select(ProcessInstance.outcome)))
    assert outcomes == ["", "declined", "declined", "investigated"]
    assert labels(cases.session)["lead_check"] == {
        "outcomes": {"investigated": "侦查终结", "declined": "不予立案"},
        "measures": {"lead_registered": "登记线索", "police_filed": "立案", "police_declined": "不予立案"},
        "kpis": {"statutory": "法定时限环节"}}


def test_periods_name_whole_local_days() -> None:
    assert (H1.first, H1.last) == (date(2026, 1, 1), date(2026, 6, 30))
    assert H1.start == local("2026-01-01 00:00") and H1.end == local("2026-07-01 00:00")
    assert (named_period("2026-Q3").first, named_period("2026-Q3").last) == (date(2026, 7, 1), date(2026, 9, 30))
    assert named_period("2024-02").last == date(2024, 2, 29)
    assert named_period("2026").end - named_period("2026").start == timedelta(days=365)


def test_the_api_gives_the_same_figures_with_the_diagrams_labels(cases: Cases, client, auth) -> None:  # noqa: ANN001
    response = client.get("/api/v1/statistics?period=2026-07&process=lead_check", headers=auth.headers("jd_supervisor"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["first_day"], body["last_day"], body["agency"]) == ("2026-07-01", "2026-07-31", None)
    (process,) = body["processes"]
    assert (process["started"], process["ended"], process["open_at_end"], process["escalations"]) == (1, 1, 1, 1)
    assert process["work"] == {"completed": 3, "with_deadline": 3, "on_time": 2, "late": 1,
                               "on_time_rate": pytest.approx(2 / 3)}
    assert body["labels"]["lead_check"]["outcomes"]["declined"] == "不予立案"
    ranged = client.get("/api/v1/statistics?from=2026-03-01&to=2026-03-31&agency=jd_msa",
                        headers=auth.headers("jd_supervisor")).get_json()
    assert [(p["key"], p["started"], p["ended"]) for p in ranged["processes"]] == [("lead_check", 1, 1)]
    assert ranged["trend"] == [{"month": "2026-03", "started": 1, "ended": 1, "completed": 1, "late": 0}]
