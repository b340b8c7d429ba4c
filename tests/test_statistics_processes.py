"""Statistics over several processes: the four lead_check cases of tests/test_statistics.py and two complaints
(tests/data/statistics/complaint.bpmn, another process no Python knows), counted together and apart."""

from __future__ import annotations

import pytest

from tests.test_statistics import FOLDER, H1, JULY, Cases, cases  # noqa: F401 - the fixture
from workflows.deployment.deploy import deploy
from workflows.statistics.report import labels, statistics


@pytest.fixture
def both(cases: Cases) -> Cases:  # noqa: F811
    """Complaint E (嘉定, May, resolved on time) and F (长宁, July, declined late) beside the lead checks."""
    deploy(cases.session, (FOLDER / "complaint.bpmn").read_bytes(),
           {"handle.json": (FOLDER / "handle.json").read_bytes()}, None)
    e = cases.start("2026-05-10 09:00", "jd_msa_liaison", "complaint")
    cases.done(e, "2026-05-12 15:00", "jd_msa_liaison", result="resolved")
    f = cases.start("2026-07-03 09:00", "cn_msa_liaison", "complaint")
    cases.done(f, "2026-07-20 09:00", "cn_msa_liaison", result="dismissed")  # 5 days: late
    cases.session.commit()
    return cases


def test_each_process_has_its_own_row_and_the_agencies_add_them_up(both: Cases) -> None:
    got = statistics(both.session, both.user("jd_supervisor"), H1)
    rows = {p.key: p for p in got.processes}
    assert sorted(rows) == ["complaint", "lead_check"]
    complaint, lead = rows["complaint"], rows["lead_check"]
    assert (complaint.started, complaint.ended, complaint.outcomes, complaint.open_at_end) == (1, 1, {"resolved": 1}, 0)
    assert (lead.started, lead.ended, lead.outcomes) == (3, 2, {"investigated": 1, "declined": 1})
    assert (complaint.work.completed, complaint.work.on_time) == (1, 1)
    jd = {a.code: a for a in got.agencies}["jd_msa"]
    # 嘉定 started two lead checks and one complaint; its outcomes add up across processes by code.
    assert (jd.started, jd.ended, jd.outcomes) == (3, 3, {"investigated": 1, "declined": 1, "resolved": 1})
    assert (jd.work.completed, jd.work.late) == (3, 1)
    assert jd.kpis["statutory"].completed == 1  # the complaint's task declares kpi=statutory; its register does not
    months = {m.month: (m.started, m.ended, m.completed) for m in got.trend}
    assert months["2026-05"] == (1, 1, 1) and months["2026-03"] == (1, 1, 3)


def test_july_for_changning_across_both_processes(both: Cases) -> None:
    got = statistics(both.session, both.user("jd_supervisor"), JULY, jurisdiction="长宁区")
    rows = {p.key: p for p in got.processes}
    assert (rows["complaint"].started, rows["complaint"].ended, rows["complaint"].outcomes) == (1, 1, {"declined": 1})
    assert (rows["complaint"].work.completed, rows["complaint"].work.late) == (1, 1)
    assert rows["lead_check"].started == 0 and rows["lead_check"].work.late == 1  # 长宁 police's late review
    cn = {a.code: a for a in got.agencies}
    assert (cn["cn_msa"].started, cn["cn_msa"].outcomes, cn["cn_msa"].kpis["statutory"].late) == (1, {"declined": 1}, 1)
    assert (cn["cn_police"].kpis["statutory"].late, cn["cn_police"].escalations) == (1, 1)


def test_the_same_code_has_each_diagram_s_name(both: Cases) -> None:
    named = labels(both.session)
    assert named["lead_check"]["outcomes"]["declined"] == "不予立案"
    assert named["complaint"]["outcomes"]["declined"] == "不予受理"
    assert named["complaint"]["kpis"] == {"statutory": "处理投诉"}  # no kpiName: the task's name
