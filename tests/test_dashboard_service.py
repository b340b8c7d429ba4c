"""The supervisors' overview computed by workflows.work.dashboard, without HTTP: exact counts at fixed instants."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import REGISTER, sh
from tests.test_case_transfer_paths import VERIFY
from tests.test_mediation_paths import REGISTER as DISPUTE
from tests.test_resume import DATA, SHARE_FORMS
from workflows.clock import set_clock
from workflows.deadlines.due_status import BUCKETS, due_bucket
from workflows.deployment.deploy import deploy
from workflows.errors import PermissionDeniedError
from workflows.models import User, WorkItem
from workflows.models.work_item import ACTIVE_STATUSES
from workflows.work.dashboard import overview
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.work_items import claim, complete


def user(session, name: str) -> User:  # noqa: ANN001
    return session.scalars(select(User).where(User.username == name)).one()


def started(session, process: str, starter: str, key: str, at: datetime):  # noqa: ANN001, ANN201
    """Start a case at the given instant."""
    set_clock(lambda: at)
    instance = start_instance(session, user(session, starter), process, {}, business_key=key)
    session.commit()
    return instance


def finish_first(session, instance, username: str, data: dict, at: datetime) -> WorkItem:  # noqa: ANN001
    """Complete the case's single open item at `at`; return the item it leads to."""
    set_clock(lambda: at)
    (item,) = instance_work_items(session, instance, active_only=True)
    claim(session, user(session, username), item)
    complete(session, user(session, username), item, data)
    session.commit()
    (following,) = instance_work_items(session, instance, active_only=True)
    return following


@pytest.fixture
def items(session, shipped) -> dict[str, WorkItem]:  # noqa: ANN001
    """Five active items, Mon Mar 2 2026 (Shanghai), one per due status and two overdue by Tue noon.

    ct_a, ct_d, ct_e: 嘉定 MSA's task_verify (24 hours from the registration); ct_b: task_register (no
    deadline); med_c: the mediation committee's task_accept (3 working days: 24:00 Thu Mar 5).
    """
    ct_a = started(session, "case_transfer", "jd_msa_liaison", "CT-A", sh(3, 2, 9))
    ct_b = started(session, "case_transfer", "jd_msa_liaison", "CT-B", sh(3, 2, 9))
    ct_d = started(session, "case_transfer", "jd_msa_liaison", "CT-D", sh(3, 2, 9))
    ct_e = started(session, "case_transfer", "jd_msa_liaison", "CT-E", sh(3, 2, 9))
    med_c = started(session, "mediation_confirmation", "jd_mediator", "MED-C", sh(3, 2, 9))
    found = {
        "a": finish_first(session, ct_a, "jd_msa_liaison", REGISTER, sh(3, 2, 10)),
        "b": instance_work_items(session, ct_b, active_only=True)[0],
        "c": finish_first(session, med_c, "jd_mediator", {**DISPUTE, "source": "party_application"}, sh(3, 2, 10)),
        "d": finish_first(session, ct_d, "jd_msa_liaison", REGISTER, sh(3, 2, 9, 30)),
        "e": finish_first(session, ct_e, "jd_msa_liaison", REGISTER, sh(3, 2, 20)),
    }
    claim(session, user(session, "jd_msa_liaison"), found["a"])  # claimed items are still open work
    session.commit()
    assert {k: (i.task_name, i.due_at) for k, i in found.items()} == {
        "a": ("task_verify", sh(3, 3, 10)), "b": ("task_register", None), "c": ("task_accept", sh(3, 6)),
        "d": ("task_verify", sh(3, 3, 9, 30)), "e": ("task_verify", sh(3, 3, 20))}
    return found


def rows(rows_: list) -> list[tuple[str, int, int]]:  # noqa: ANN001
    return [(r.key, r.open, r.overdue) for r in rows_]


def test_supervisor_sees_every_agency_with_exact_counts(session, items) -> None:  # noqa: ANN001
    data = overview(session, user(session, "jd_supervisor"), at=sh(3, 3, 12))
    assert data.buckets == {"overdue": 2, "due_today": 1, "later": 1, "none": 1}
    assert data.total == 5
    assert rows(data.by_agency) == [("jd_msa", 4, 2), ("jd_mediation", 1, 0)]
    assert [r.name for r in data.by_agency] == ["嘉定区市场监督管理局", "嘉定区知识产权纠纷人民调解委员会"]
    assert rows(data.by_process) == [("case_transfer", 4, 2), ("mediation_confirmation", 1, 0)]
    assert [i.id for i in data.oldest_overdue] == [items["d"].id, items["a"].id]  # longest overdue first


def test_leaders_see_their_own_agency_only(session, items) -> None:  # noqa: ANN001
    mediation = overview(session, user(session, "jd_mediation_leader"), at=sh(3, 3, 12))
    assert mediation.buckets == {"overdue": 0, "due_today": 0, "later": 1, "none": 0}
    assert rows(mediation.by_agency) == [("jd_mediation", 1, 0)]
    assert rows(mediation.by_process) == [("mediation_confirmation", 1, 0)]
    assert mediation.oldest_overdue == []
    msa = overview(session, user(session, "jd_msa_leader"), at=sh(3, 3, 12))
    assert msa.buckets == {"overdue": 2, "due_today": 1, "later": 0, "none": 1}
    assert rows(msa.by_agency) == [("jd_msa", 4, 2)]
    police = overview(session, user(session, "jd_police_leader"), at=sh(3, 3, 12))
    assert (police.total, police.by_agency, police.by_process) == (0, [], [])


def test_due_status_boundaries(session, items) -> None:  # noqa: ANN001
    supervisor = user(session, "jd_supervisor")
    before = overview(session, supervisor, at=sh(3, 3, 9, 30) - timedelta(seconds=1))
    assert before.buckets == {"overdue": 0, "due_today": 3, "later": 1, "none": 1}
    at_due = overview(session, supervisor, at=sh(3, 3, 9, 30))  # the due instant itself is overdue
    assert at_due.buckets == {"overdue": 1, "due_today": 2, "later": 1, "none": 1}
    # The day before: nothing is due today; a day ending at 24:00 counts the 24:00 deadline as today's.
    assert overview(session, supervisor, at=sh(3, 2, 23)).buckets == {
        "overdue": 0, "due_today": 0, "later": 4, "none": 1}
    assert overview(session, supervisor, at=sh(3, 5, 8)).buckets == {
        "overdue": 3, "due_today": 1, "later": 0, "none": 1}


def test_counts_agree_with_the_per_item_due_status(session, items) -> None:  # noqa: ANN001
    for at in (sh(3, 2, 23), sh(3, 3, 9, 30), sh(3, 3, 12), sh(3, 3, 20), sh(3, 5, 8), sh(3, 6)):
        active = session.scalars(select(WorkItem).where(WorkItem.status.in_(ACTIVE_STATUSES))).all()
        expected = {b: sum(due_bucket(i, at) == b for i in active) for b in BUCKETS}
        assert overview(session, user(session, "admin"), at=at).buckets == expected, at


def test_completed_items_leave_the_counts_and_the_limit_applies(session, items) -> None:  # noqa: ANN001
    set_clock(lambda: sh(3, 3, 12))
    liaison = user(session, "jd_msa_liaison")
    complete(session, liaison, items["a"], VERIFY)
    session.commit()
    data = overview(session, user(session, "jd_supervisor"), at=sh(3, 3, 12), oldest=1)
    assert data.buckets == {"overdue": 1, "due_today": 1, "later": 2, "none": 1}  # task_approve has 3 days
    assert rows(data.by_agency) == [("jd_msa", 4, 1), ("jd_mediation", 1, 0)]
    assert [i.id for i in data.oldest_overdue] == [items["d"].id]


def test_the_dashboard_is_for_supervisors_admins_and_leaders(session, items) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDeniedError):
        overview(session, user(session, "jd_msa_liaison"))


def test_cases_stopped_in_error_are_listed_for_those_who_see_them(session, shipped) -> None:  # noqa: ANN001
    set_clock(lambda: sh(3, 2, 9))
    deploy(session, (DATA / "recovery/share.bpmn").read_bytes(), SHARE_FORMS, None)
    stopped = [start_instance(session, user(session, "jd_msa_liaison"), "recovery_share",
                              data={"total": 90, "parts": 0, "target_agency": "ks_msa"}, business_key=f"ERR-{n}")
               for n in range(3)]
    running = started(session, "case_transfer", "jd_msa_liaison", "CT-OK", sh(3, 2, 9))
    session.commit()
    assert [i.status for i in stopped] == ["error"] * 3 and running.status == "running"
    for name in ("jd_supervisor", "admin", "jd_msa_leader"):  # overseers, and the initiating agency's leader
        data = overview(session, user(session, name), at=sh(3, 2, 10), oldest=2)
        assert [i.business_key for i in data.stopped] == ["ERR-2", "ERR-1"], name  # newest first, limited
        assert data.stopped_count == 3, name
        assert "ZeroDivisionError" in data.stopped[0].error_reason
    # An agency that takes no part in those cases does not see them.
    police = overview(session, user(session, "jd_police_leader"), at=sh(3, 2, 10))
    assert (police.stopped, police.stopped_count) == ([], 0)
