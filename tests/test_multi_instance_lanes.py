"""A multi-instance task's lane resolved per element, a deadline that is a date, and what deployment refuses.

tests/data/multi_instance/checks.bpmn sends one check to each police agency listed in the start data: the lane's
agencyFrom names the element variable, so each instance's item lands with the agency its element names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import end_of, sh
from workflows.clock import set_clock
from workflows.deployment.deploy import DiagramInvalidError, deploy
from workflows.errors import InvalidDataError
from workflows.models import Agency
from workflows.work.instances import instance_work_items, start_schema
from workflows.work.progress import agency_progress
from workflows.work.timer_worker import fire_due_timers
from workflows.work.work_items import claim, complete

FOLDER = Path(__file__).parent / "data" / "multi_instance"
XML = (FOLDER / "checks.bpmn").read_bytes()
FORMS = {"start.json": (FOLDER / "start.json").read_bytes()}


def test_each_instance_goes_to_the_agency_its_element_names(session, demo, create_instance, create_user) -> None:  # noqa: ANN001
    deploy(session, XML, FORMS, None)
    set_clock(lambda: sh(6, 1, 9))
    case = create_instance("police_checks", data={"checkers": ["jd_police", "cn_police"], "due_date": "2026-06-06"})
    items = instance_work_items(session, case, active_only=True)
    assert sorted(i.candidate_agency.code for i in items) == ["cn_police", "jd_police"]
    # A Saturday named by the data stays the day: due at 24:00 of 6 June, Shanghai time.
    assert {i.due_at for i in items} == {end_of(6, 6)}
    jd = next(i for i in items if i.candidate_agency.code == "jd_police")
    user = create_user("jd_checker", "jd_police")
    set_clock(lambda: sh(6, 5, 9))
    claim(session, user, jd)
    complete(session, user, jd, {})
    set_clock(lambda: sh(6, 7, 0, 1))
    fire_due_timers(session)
    states = {row.agency.code: row.state for row in agency_progress(session, case)}
    assert states == {"jd_police": "on_time", "cn_police": "overdue"}


def test_an_element_naming_an_agency_of_another_type_stops_the_case(session, demo, create_instance) -> None:  # noqa: ANN001
    deploy(session, XML, FORMS, None)
    case = create_instance("police_checks", data={"checkers": ["jd_police", "jd_msa"], "due_date": "2026-06-06"})
    assert case.status == "error"
    assert "agency 'jd_msa' is a market_supervision, the lane needs a police" in case.error_reason
    assert instance_work_items(session, case, active_only=True) == []


@pytest.mark.parametrize(("prop", "message"), [
    ('<spiffworkflow:property name="deadline" value="3 days" />', "cannot be combined with deadline"),
    ('<spiffworkflow:property name="prefill" value="x = statistics()" />', "statistics() takes 1 argument"),
    ('<spiffworkflow:property name="prefill" value="x = evaluate(period)" />', "unknown function 'evaluate'"),
    ('<spiffworkflow:property name="prefill" value="x = statistics(a.b)" />', "a data field's name or a text"),
    ('<spiffworkflow:property name="titleAgency" value="a-b" />', "titleAgency 'a-b' is not a data field name"),
])
def test_deployment_refuses_what_it_cannot_run(session, demo, prop: str, message: str) -> None:  # noqa: ANN001
    xml = XML.replace(b'<spiffworkflow:property name="trackPerAgency" value="true" />', prop.encode())
    with pytest.raises(DiagramInvalidError) as refused:
        deploy(session, xml, FORMS, None)
    assert any(message in e["message"] for e in refused.value.details), refused.value.details


def test_a_missing_date_stops_the_case_with_the_field_named(session, demo, create_instance) -> None:  # noqa: ANN001
    forms = {"start.json": b'{"type": "object"}'}
    deploy(session, XML, forms, None)
    case = create_instance("police_checks", data={"checkers": ["jd_police"]})
    assert case.status == "error" and "due_date" in case.error_reason


def test_the_round_start_form_offers_the_offices_bureaus(session, shipped, create_instance) -> None:  # noqa: ANN001
    office = session.scalars(select(Agency).where(Agency.code == "sh_ipo")).one()
    schema = start_schema(session, "work_report", office)
    assert [o["const"] for o in schema["properties"]["bureaus"]["items"]["oneOf"]] == ["cn_msa", "jd_msa"]
    data = {"kind": "measures", "title": "落实措施", "period": "2026", "due_date": "2026-06-10",
            "bureaus": ["jd_msa", "ks_msa"]}
    with pytest.raises(InvalidDataError) as refused:
        create_instance("work_report", "sh_ipo_liaison", data=data)
    assert list(refused.value.details) == ["bureaus.1"]
