"""The demo cases: every shipped process has running instances in telling states, relative to today."""

from __future__ import annotations

from sqlalchemy import select

from app.demo_cases import SCENARIOS, load_demo_cases
from workflows.clock import now
from workflows.models import Agency, Notice, ProcessInstance, User, WorkItem
from workflows.work.queues import list_work_items

SHIPPED = {"case_transfer", "mediation_confirmation", "lead_transfer", "assistance_request", "guidance_request"}


def user(session, username: str) -> User:  # noqa: ANN001
    return session.scalars(select(User).where(User.username == username)).one()


def active(session, process: str, task: str, agency: str) -> list[WorkItem]:  # noqa: ANN001
    """Active items of one task at one agency, in instances of one process."""
    items = session.scalars(select(WorkItem).where(WorkItem.task_name == task, WorkItem.status.in_(("open",
                                                                                                   "claimed"))))
    return [i for i in items if i.instance.definition.key == process and i.candidate_agency.code == agency]


def test_demo_cases_are_left_in_telling_states(session, shipped):  # noqa: ANN001
    results = load_demo_cases(session)
    assert [r.key for r in results] == [s["key"] for s in SCENARIOS]

    instances = list(session.scalars(select(ProcessInstance)))
    assert {i.definition.key for i in instances if i.status == "running"} == SHIPPED
    assert [i.business_key for i in instances if i.status != "running"] == []  # none in error, none ended
    assert all(r.waiting for r in results)

    # The overdue police decision: marked overdue, escalated to the 嘉定 procuratorate, found in its overdue view.
    overdue = [r for r in results if r.overdue]
    assert [(r.process, r.waiting) for r in overdue] == [("case_transfer", [("task_decide", "jd_police")])]
    decision = active(session, "case_transfer", "task_decide", "jd_police")
    assert len(decision) == 1 and decision[0].overdue_at is not None and decision[0].due_at < now()
    procuratorate = session.scalars(select(Agency).where(Agency.code == "jd_procuratorate")).one()
    missed = session.scalars(select(Notice).where(Notice.kind == "deadline_missed",
                                                  Notice.agency_id == procuratorate.id)).all()
    assert [n.work_item_id for n in missed] == [decision[0].id]
    assert [i.id for i in list_work_items(session, user(session, "jd_procurator"), "overdue")] == [decision[0].id]

    # The other telling states.
    assert active(session, "case_transfer", "task_approve", "jd_msa")  # freshly registered
    assert active(session, "case_transfer", "task_bureau_response", "jd_msa")  # declined by the police
    assert active(session, "mediation_confirmation", "task_review", "jd_court")  # awaiting judicial confirmation
    assert active(session, "mediation_confirmation", "task_session", "jd_mediation")
    assert active(session, "mediation_confirmation", "task_apply", "jd_mediation")  # inside the 30-day window
    assert active(session, "lead_transfer", "task_feedback", "ks_msa")  # lead awaiting feedback
    assert active(session, "lead_transfer", "task_receive", "ks_msa")
    assert active(session, "assistance_request", "task_investigate", "ks_msa")
    guidance = active(session, "guidance_request", "task_review", "sh_ipo")
    assert [i.id for i in list_work_items(session, user(session, "sh_ipo_liaison"))] == [guidance[0].id]
    # Nothing but the police decision is late today.
    late = session.scalars(select(WorkItem).where(WorkItem.status.in_(("open", "claimed")), WorkItem.due_at < now()))
    assert [i.id for i in late] == [decision[0].id]


def test_seed_demo_prints_the_scenarios_and_is_idempotent(app, empty_db):  # noqa: ANN001
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for scenario in SCENARIOS:
        assert scenario["key"] in result.output
    assert "task_review@jd_court" in result.output and "task_feedback@ks_msa" in result.output
    assert [line for line in result.output.splitlines() if "OVERDUE" in line] == [
        "  case DEMO-CT-OVERDUE      case_transfer            waiting: task_decide@jd_police  OVERDUE"]
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "demo data present: skipped" in again.output and "DEMO-CT-OVERDUE" not in again.output
