"""Deployed processes and their versions as workflows.deployment.catalog lists them, without HTTP."""

from __future__ import annotations

from pathlib import Path

from workflows.deployment.catalog import definition_versions, find_definition, latest_definitions, process_choices
from workflows.deployment.deploy import deploy

WINDOW = (Path(__file__).parent / "data" / "timers" / "window.bpmn").read_bytes()
WINDOW_FORMS = {"window_start.json": (Path(__file__).parent / "data" / "timers" / "window_start.json").read_bytes()}
RENAMED = WINDOW.replace("申请期限测试".encode(), "申请期限测试（第二版）".encode())


def test_latest_versions_and_lookups(session, shipped) -> None:  # noqa: ANN001
    assert deploy(session, WINDOW, WINDOW_FORMS, None)[1] and deploy(session, RENAMED, WINDOW_FORMS, None)[1]
    assert not deploy(session, RENAMED, WINDOW_FORMS, None)[1]  # identical content: no third version
    session.commit()
    latest = latest_definitions(session)
    assert [(d.key, d.version) for d in latest] == [
        ("assistance_request", 1), ("case_transfer", 1), ("guidance_request", 1), ("lead_transfer", 1),
        ("mediation_confirmation", 1), ("timer_window", 2), ("work_report", 1)]
    assert ("timer_window", "申请期限测试（第二版）") in process_choices(session)
    assert [(d.version, d.name) for d in definition_versions(session, "timer_window")] == [
        (2, "申请期限测试（第二版）"), (1, "申请期限测试")]
    assert find_definition(session, "timer_window").version == 2
    assert find_definition(session, "timer_window", 1).name == "申请期限测试"
    assert find_definition(session, "timer_window", 3) is None
    assert find_definition(session, "no_such_process") is None
    assert definition_versions(session, "no_such_process") == []


def test_nothing_deployed(session, demo) -> None:  # noqa: ANN001
    assert latest_definitions(session) == [] and process_choices(session) == []
