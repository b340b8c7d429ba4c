"""Cases put in a known state through the services, so a browser test starts where it matters."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from tests.helpers import REGISTER
from workflows.clock import now, set_clock
from workflows.deadlines.calendar import SHANGHAI
from workflows.deployment.deploy import deploy
from workflows.models import ProcessInstance, User
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.work_items import claim, complete

DATA = Path(__file__).resolve().parent / "data"  # diagrams deployed by the tests that need them
VERIFY = {"special_team_officers": ["王敏", "李强"], "transfer_report": "经核实，非法经营数额达到追诉标准。"}
APPROVE = {"approval": "approve", "approval_comment": "同意移送"}


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _step(instance: Any, username: str, data: dict[str, Any]) -> None:
    """Claim and complete the instance's single open item."""
    (item,) = instance_work_items(db.session, instance, active_only=True)
    actor = _user(username)
    claim(db.session, actor, item)
    complete(db.session, actor, item, data)
    db.session.commit()


STEPS = [("jd_msa_liaison", REGISTER), ("jd_msa_liaison", VERIFY), ("jd_msa_leader", APPROVE)]


def case_at_transfer(app: Flask, business_key: str, steps: int = 3) -> int:
    """A case transfer registered, verified and approved: task_transfer waits in 嘉定 MSA's queue.

    With fewer steps it stops earlier (2: task_approve waits for a leader).
    """
    with app.app_context():
        instance = start_instance(db.session, _user("jd_msa_liaison"), "case_transfer", {},
                                  business_key=business_key)
        db.session.commit()
        for username, data in STEPS[:steps]:
            _step(instance, username, data)
        return instance.id


def case_at_decision(app: Flask, business_key: str) -> int:
    """A case transferred and accepted by 嘉定 police: task_decide (3 days, extendable) waits for a police leader."""
    from tests.test_case_transfer_paths import ACCEPT, TRANSFER

    instance_id = case_at_transfer(app, business_key)
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        _step(instance, "jd_msa_liaison", TRANSFER)
        _step(instance, "jd_police_liaison", ACCEPT)
    return instance_id


def open_case(app: Flask, business_key: str, process: str = "case_transfer", starter: str = "jd_msa_liaison") -> int:
    """A freshly started case (its first task waits)."""
    with app.app_context():
        instance = start_instance(db.session, _user(starter), process, {}, business_key=business_key)
        db.session.commit()
        return instance.id


def mediation_at_settlement(app: Flask, business_key: str) -> int:
    """A dispute registered, accepted and settled at a session: task_settlement waits for the mediator."""
    from tests.test_mediation_paths import REGISTER as DISPUTE
    from tests.test_mediation_paths import SETTLED, accept

    with app.app_context():
        instance = start_instance(db.session, _user("jd_mediator"), "mediation_confirmation", {},
                                  business_key=business_key)
        db.session.commit()
        _step(instance, "jd_mediator", {**DISPUTE, "source": "party_application"})
        _step(instance, "jd_mediation_leader", accept("2026-06-01"))
        _step(instance, "jd_mediator", SETTLED)
        return instance.id


def mediation_agreed(app: Flask, business_key: str) -> int:
    """A dispute mediated to a signed agreement: the judicial-confirmation application waits for the parties."""
    from tests.test_mediation_paths import REGISTER as DISPUTE
    from tests.test_mediation_paths import SETTLED, accept, settlement

    with app.app_context():
        instance = start_instance(db.session, _user("jd_mediator"), "mediation_confirmation", {},
                                  business_key=business_key)
        db.session.commit()
        _step(instance, "jd_mediator", {**DISPUTE, "source": "party_application"})
        _step(instance, "jd_mediation_leader", accept("2026-06-01"))
        _step(instance, "jd_mediator", SETTLED)
        _step(instance, "jd_mediator", settlement("2026-06-08"))
        return instance.id


def deploy_folder(app: Flask, name: str) -> None:
    """Deploy the diagram and forms of a folder under tests/browser/data (an identical one is left as it is)."""
    folder = DATA / name
    with app.app_context():
        forms = {f.name: f.read_bytes() for f in sorted(folder.glob("*.json"))}
        deploy(db.session, (folder / f"{name}.bpmn").read_bytes(), forms, actor=None)
        db.session.commit()


def assistance_history(app: Flask, months: int = 6) -> int:
    """Assistance requests of the last months, all ended (completed, declined by 昆山, refused by the leader).

    Played on the clock (shared with the live server) at their instants, so the statistics page has figures:
    outcomes, a measure, work on time and some late (an approval a week after the request). Returns how many.
    """
    from tests.test_assistance_paths import ASSISTED, REQUEST

    real = now()
    played = 0
    try:
        with app.app_context():
            for n in range(months * 2):
                start = real - timedelta(days=15 * n + 12)
                late = n % 4 == 1
                path = ("completed", "declined", "completed", "refused")[n % 4]

                def at(days: float, start: datetime = start) -> str:
                    moment = start + timedelta(days=days)
                    set_clock(lambda: moment)
                    return moment.astimezone(SHANGHAI).date().isoformat()

                at(0)
                instance = start_instance(db.session, _user("jd_msa_liaison"), "assistance_request", {},
                                          business_key=f"JD-ASSIST-H{n:02d}")
                _step(instance, "jd_msa_liaison", REQUEST)
                at(6 if late else 1)
                if path == "refused":
                    _step(instance, "jd_msa_leader", {"approval": "refuse", "refusal_reason": "本机关可自行调查"})
                    played += 1
                    continue
                _step(instance, "jd_msa_leader", {"approval": "approve"})
                day = at(7 if late else 2)
                if path == "declined":
                    _step(instance, "ks_msa_liaison", {"assistance_receipt": "cannot_assist", "received_date": day,
                                                       "cannot_assist_reason": "该公司已注销"})
                    played += 1
                    continue
                _step(instance, "ks_msa_liaison", {"assistance_receipt": "accept", "received_date": day})
                _step(instance, "ks_msa_liaison", {**ASSISTED, "reply_date": at(8 if late else 6)})
                _step(instance, "jd_msa_liaison", {"acknowledged_on": at(9 if late else 7)})
                played += 1
    finally:
        set_clock(None)
    return played
