"""A deployed definition's settings as typed objects: built from the stored JSON, old rows included."""

from __future__ import annotations

import ast
import copy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ROOT
from tests.helpers import end_of, sh
from workflows.clock import set_clock
from workflows.deadlines.periods import Period, Unit
from workflows.deployment.definitions import compiled
from workflows.deployment.deploy import deploy
from workflows.engine.settings import DeadlineRule, ExtensionRule, Recipient, TaskInfo, process_info
from workflows.errors import ConflictError
from workflows.models import ProcessDefinition, User
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.instances import instance_work_items, start_instance

TIMERS = Path(__file__).parent / "data" / "timers"
WINDOW = (TIMERS / "window.bpmn").read_bytes()
WINDOW_FORMS = {"window_start.json": (TIMERS / "window_start.json").read_bytes()}

# The stored layout as the diagram declares it: numbers and periods are text.
STORED = {
    "key": "p", "name": "P", "start_lanes": ["lane_a"], "start_form": None,
    "lanes": {"lane_a": {"id": "lane_a", "name": "A", "agency_type": "court", "agency_from": None},
              "lane_b": {"id": "lane_b", "name": "B", "agency_type": "police", "agency_from": "police_agency"}},
    "tasks": {"task_1": {"id": "task_1", "name": "One", "lane": "lane_a", "role": "judge", "form": "one.json",
                         "deadline": "15个工作日", "deadline_from": "received", "priority": "-3",
                         "copy_to": ["lane_b"], "escalate_to": ["lane_b:leader", "lane_a"], "remind_before": "8 hours",
                         "extension": "10 days", "extension_role": "leader", "max_extensions": "2"},
              "task_2": {"id": "task_2", "name": "Two", "lane": "lane_b", "role": "liaison", "form": None,
                         "deadline": None, "deadline_from": None, "priority": "0", "copy_to": [],
                         "escalate_to": [], "remind_before": None, "extension": None, "extension_role": "leader",
                         "max_extensions": "1"}},
    "notices": {"task_2": {"id": "task_2", "notify": ["lane_a:judge"], "kind": "case_filed", "title": "{case}"}},
    "deadline_timers": {"timer_1": "task_1"},
}


def test_numbers_are_numbers_and_periods_are_parsed() -> None:
    info = process_info(STORED)
    one, two = info.tasks["task_1"], info.tasks["task_2"]
    assert one == TaskInfo(
        id="task_1", name="One", lane="lane_a", role="judge", form="one.json", priority=-3, copy_to=("lane_b",),
        deadline=DeadlineRule(Period(15, Unit.WORKING_DAYS), counts_from="received",
                              remind_before=Period(8, Unit.HOURS),
                              extension=ExtensionRule(Period(10, Unit.DAYS), role="leader", max_count=2),
                              escalate_to=(Recipient("lane_b", "leader"), Recipient("lane_a"))))
    assert (two.priority, two.deadline, two.form) == (0, None, None)
    assert info.lane_of(one).agency_type == "court" and info.lanes["lane_b"].agency_from == "police_agency"
    assert info.notices["task_2"].notify == (Recipient("lane_a", "judge"),)
    assert (info.start_agency_types, info.copy_sources, info.agency_types) == \
        ({"court"}, {"task_1"}, {"court", "police"})
    assert (info.timers_of("task_1"), info.timers_of("task_2")) == ({"timer_1"}, frozenset())
    assert info.deadline_of("task_2") is None and info.deadline_of("gone") is None


def _older(meta: dict) -> dict:
    """The layout of rows stored before reminders, extensions, escalation, notices and due_at timers."""
    old = copy.deepcopy(meta)
    for key in ("notices", "deadline_timers"):
        old.pop(key, None)
    for task in old["tasks"].values():
        for key in ("remind_before", "extension", "extension_role", "max_extensions", "escalate_to"):
            task.pop(key, None)
    return old


def test_a_row_of_an_older_layout_reads_with_the_defaults() -> None:
    info = process_info(_older(STORED))
    assert info.deadline_of("task_1") == DeadlineRule(Period(15, Unit.WORKING_DAYS), counts_from="received")
    assert (info.notices, info.deadline_timers) == ({}, {})
    assert info.tasks["task_1"].copy_to == ("lane_b",)


def test_the_stored_json_keeps_the_declared_text(session, demo) -> None:  # noqa: ANN001
    definition, _ = deploy(session, WINDOW, WINDOW_FORMS, None)
    session.commit()
    stored = session.scalar(select(ProcessDefinition.meta).where(ProcessDefinition.id == definition.id))
    assert {k: stored["tasks"]["task_apply"][k] for k in ("deadline", "priority", "max_extensions", "escalate_to")} \
        == {"deadline": "30 days", "priority": "0", "max_extensions": "1", "escalate_to": ["lane_court:judge"]}
    rule = compiled(session, definition).info.deadline_of("task_apply")
    assert rule == DeadlineRule(Period(30, Unit.DAYS), "effective_date", Period(3, Unit.DAYS),
                                ExtensionRule(Period(10, Unit.DAYS)), (Recipient("lane_court", "judge"),))


def test_a_definition_stored_in_the_older_layout_still_runs(session, demo) -> None:  # noqa: ANN001
    # Another checksum than the other tests' upload: the definition cache keys on it (definitions never change).
    definition, _ = deploy(session, WINDOW + b"<!-- older -->", WINDOW_FORMS, None)
    definition.meta = _older(definition.meta)  # as an earlier version of the product stored it
    session.commit()
    leader = session.get(User, demo["jd_msa_leader"])
    set_clock(lambda: sh(1, 21, 10))
    instance = start_instance(session, leader, "timer_window", data={"effective_date": "2026-01-20",
                                                                      "case_no": "JD-调-2"})
    session.commit()
    item = instance_work_items(session, instance, active_only=True)[0]
    # 30 days from Tue Jan 20 end in the Spring Festival: Tue Feb 24 24:00; reminded a day ahead (the default).
    assert (item.due_at, item.remind_at, item.priority, item.deadline) == \
        (end_of(2, 24), end_of(2, 24) - timedelta(days=1), 0, "30 days")
    with pytest.raises(ConflictError, match="allows no extension"):
        extend_deadline(session, leader, item, "需要更多时间")


def test_the_api_publishes_typed_settings(client, auth, session) -> None:  # noqa: ANN001
    deploy(session, WINDOW, WINDOW_FORMS, None)
    session.commit()
    body = client.get("/api/v1/process-definitions/timer_window", headers=auth.headers("admin")).get_json()[0]
    task = body["tasks"][0]
    assert {k: task[k] for k in ("id", "priority", "deadline", "deadline_from", "remind_before", "extension",
                                 "extension_role", "max_extensions", "escalate_to", "copy_to")} == {
        "id": "task_apply", "priority": 0, "deadline": "30 days", "deadline_from": "effective_date",
        "remind_before": "3 days", "extension": "10 days", "extension_role": "leader", "max_extensions": 1,
        "escalate_to": ["lane_court:judge"], "copy_to": []}
    assert {lane["id"]: lane["agency_type"] for lane in body["lanes"]} == \
        {"lane_bureau": "market_supervision", "lane_court": "court"}
    assert (body["key"], body["version"], body["start_form"]) == ("timer_window", 1, "window_start.json")


def _reads_of_meta(path: Path) -> list[int]:
    """Lines of a module that read a `.meta` attribute (the stored settings JSON)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "meta"]


def test_only_the_engine_and_its_bridge_read_the_stored_settings() -> None:
    # The bridge: it hands the JSON to workflows/engine/settings.py.
    allowed = {ROOT / "workflows" / "deployment" / "definitions.py"}
    readers = {str(path.relative_to(ROOT)): lines
               for folder in ("app", "workflows", "bench") for path in (ROOT / folder).rglob("*.py")
               if "engine" not in path.parts and path not in allowed and (lines := _reads_of_meta(path))}
    assert readers == {}
