"""mediation_confirmation after a rejection or a revoked ruling: the parties sue, or mediate again within bounds."""

from __future__ import annotations

import pytest

from tests import test_mediation_paths
from tests.helpers import end_of, sh
from tests.test_mediation_paths import (  # the original module's fixtures and helpers
    APPLY,
    CONFIRM,
    LITIGATION,
    NO_FOLLOWUP,
    REJECT,
    REVOKED,
    SETTLED,
    clerk,
    court_accept,
    court_accept_due_jun_15,
    judge,
    med,
    new_case,
    remediate,
    settlement,
    to_court,
)
from workflows.work.instances import instance_data

ids = test_mediation_paths.ids  # the original module's fixture, under its name


@pytest.mark.parametrize("revoked", [False, True])
def test_after_a_rejection_or_a_revoked_ruling_the_parties_sue(session, ids, revoked):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", court_accept("2026-06-11"), due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    if revoked:  # confirmed, then revoked on an objection (民诉法解释第372条)
        judge(case, CONFIRM, due=end_of(6, 26), at=sh(6, 22, 10))
        med(case, "task_supervise", REVOKED, due=end_of(10, 8), at=sh(9, 1, 10))
    else:
        judge(case, REJECT, due=end_of(6, 26), at=sh(6, 22, 10))
    med(case, "task_after_rejection", LITIGATION if not revoked else NO_FOLLOWUP, at=sh(9, 2, 10))
    case.finish("end_rejected")


def test_mediation_after_rejection_is_bounded(session, ids):  # noqa: ANN001
    case = new_case(session, ids, sh(6, 1, 9))
    to_court(case)
    clerk(case, "task_court_accept", court_accept("2026-06-11"), due=court_accept_due_jun_15(case), at=sh(6, 11, 10))
    judge(case, REJECT, due=end_of(6, 26), at=sh(6, 22, 10))
    # (day of renewed mediation; its session and window due: +30 days; the clerk's due: +3 days; the judge's: +15)
    rounds = [(23, end_of(7, 23), end_of(6, 26), end_of(7, 8)),
              # Thu Jun 25 + 30 days = Sat Jul 25 -> Mon Jul 27; + 3 days = Sun Jun 28 -> Mon Jun 29; + 15 = Fri Jul 10.
              (25, end_of(7, 27), end_of(6, 29), end_of(7, 10))]
    for day, thirty, clerk_due, judge_due in rounds:
        med(case, "task_after_rejection", remediate(f"2026-06-{day}"), at=sh(6, day, 9))
        med(case, "task_session", SETTLED, due=thirty, at=sh(6, day, 10))
        med(case, "task_settlement", settlement(f"2026-06-{day}", "2026-09-28"), at=sh(6, day, 11))
        med(case, "task_apply", APPLY, due=thirty, at=sh(6, day, 12))
        clerk(case, "task_court_accept", court_accept(f"2026-06-{day}"), due=clerk_due, at=sh(6, day, 13))
        judge(case, REJECT, due=judge_due, at=sh(6, day, 14))
    med(case, "task_after_rejection", remediate("2026-06-26"), at=sh(6, 26, 9))  # a third round is not followed
    case.finish("end_rejected")
    assert instance_data(case.instance)["remediation_rounds"] == 2
