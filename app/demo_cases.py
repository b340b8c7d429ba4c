"""Demo cases: running instances of every shipped process, left in telling states, so the system looks alive.

Each scenario is data, in `demo_cases.json`: the process, who starts it and when (days before now), its
start data, and the ordered steps (task id, acting user, form data, hours after the previous step).
`load_demo_cases` plays every scenario through the services with the clock set back to each step's
instant, so due times, reminders and overdue marks are those of a case really worked at those times;
then it restores the real clock and runs one timer pass, so what is late today is marked overdue and
escalated now.

Dates inside form data are written relative to the instant a step is completed (the instance's start for the
start data): a string "{day}" becomes that Shanghai calendar date (YYYY-MM-DD), "{day-3}" the date 3 days
before it, "{day+30}" the date 30 days after it. Deadlines counted from a date field (mediation_start_date,
agreement_effective_date, received_date, filing_decision_date, acceptance_date, ...) so stay relative to today.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.clock import now, set_clock
from workflows.deadlines.calendar import SHANGHAI
from workflows.models import ProcessInstance, User
from workflows.models.process import InstanceStatus
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.steps import RUNNING
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete

# The scenarios are data beside this module: key (business key), process, starter, title, days_ago (start),
# data (start data), steps: [{task, user, data, hours after the previous step (the start for the first)}].
SCENARIO_FILE = Path(__file__).with_name("demo_cases.json")
SCENARIOS: list[dict[str, Any]] = json.loads(SCENARIO_FILE.read_text(encoding="utf-8"))


# --- the driver ----------------------------------------------------------------------------------------

class DemoCaseError(RuntimeError):
    """A scenario could not be played (its data no longer fits the diagram)."""


@dataclass
class DemoCaseResult:
    """Where one scenario was left."""

    key: str
    process: str
    instance: ProcessInstance
    waiting: list[tuple[str, str]]  # (task id, candidate agency code) of the active items
    overdue: bool


_DAY = re.compile(r"^\{day(?:([+-])(\d+))?\}$")


def resolve_dates(value: Any, at: datetime) -> Any:
    """Replace "{day}", "{day-N}", "{day+N}" strings (at any depth) by Shanghai dates relative to `at`."""
    if isinstance(value, dict):
        return {k: resolve_dates(v, at) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_dates(v, at) for v in value]
    if isinstance(value, str) and (match := _DAY.match(value)):
        sign, days = match.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return (at.astimezone(SHANGHAI).date() + timedelta(days=offset)).isoformat()
    return value


def _user(session: Session, username: str, scenario: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise DemoCaseError(f"demo case {scenario}: no user '{username}'")
    return user


def _set_instant(at: datetime) -> None:
    set_clock(lambda: at)


def play(session: Session, scenario: dict[str, Any], real_now: datetime) -> ProcessInstance:
    """Start one scenario's instance in the past and complete its steps at their instants."""
    name = scenario["key"]
    at = real_now - timedelta(days=scenario["days_ago"])
    _set_instant(at)
    instance = start_instance(session, _user(session, scenario["starter"], name), scenario["process"],
                              data=resolve_dates(scenario.get("data") or {}, at), business_key=scenario["key"],
                              title=scenario.get("title"))
    for number, step in enumerate(scenario["steps"], start=1):
        task, username, data, hours = step["task"], step["user"], step["data"], step["hours"]
        where = f"demo case {name} step {number} ({task})"
        if instance.status != RUNNING:
            raise DemoCaseError(f"{where}: instance is {instance.status}: {instance.error_reason}")
        at += timedelta(hours=hours)
        if at > real_now:
            raise DemoCaseError(f"{where}: falls after now; start the scenario earlier")
        items = [i for i in instance_work_items(session, instance, active_only=True) if i.task_name == task]
        if not items:
            waiting = [i.task_name for i in instance_work_items(session, instance, active_only=True)]
            raise DemoCaseError(f"{where}: no active work item for it (waiting: {waiting})")
        _set_instant(at)
        actor = _user(session, username, name)
        claim(session, actor, items[0])
        complete(session, actor, items[0], resolve_dates(data, at))
        session.flush()
    if instance.status != RUNNING:
        raise DemoCaseError(f"demo case {name}: instance is {instance.status}: {instance.error_reason}")
    return instance


def load_demo_cases(session: Session, scenarios: list[dict[str, Any]] | None = None) -> list[DemoCaseResult]:
    """Play the scenarios (default: SCENARIOS), commit, then run one timer pass at the real now.

    Needs the demo directory and the shipped processes (app.demo.load_demo). Always restores the real clock.
    """
    real_now = now()
    instances = []
    try:
        for scenario in scenarios if scenarios is not None else SCENARIOS:
            instances.append((scenario, play(session, scenario, real_now)))
            session.commit()
    finally:
        set_clock(None)
    fire_due_timers(session)
    results = []
    for scenario, instance in instances:
        session.refresh(instance)
        if instance.status == InstanceStatus.ERROR:
            raise DemoCaseError(f"demo case {scenario['key']}: instance in error: {instance.error_reason}")
        items = instance_work_items(session, instance, active_only=True)
        results.append(DemoCaseResult(
            key=scenario["key"], process=scenario["process"], instance=instance,
            waiting=[(i.task_name, i.candidate_agency.code) for i in items],
            overdue=any(i.overdue_at is not None for i in items)))
    return results
