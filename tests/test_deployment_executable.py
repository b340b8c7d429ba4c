"""A diagram with no executable process is refused with errors at the processes, pools or collaboration to fix.

Checked on the 21 BPMN MIWG reference diagrams (../shared/conformance/miwg-reference/): 14 of them
have no executable process; every error names an element of the document the modeler can mark.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from workflows.deployment.deploy import DiagramInvalidError, validate_diagram
from workflows.engine.diagram import BPMN_NS

MIWG = Path(__file__).resolve().parents[2] / "shared/conformance/miwg-reference"
DIAGRAMS = sorted(MIWG.glob("*.bpmn"))
NOT_EXECUTABLE = {"A.1.0", "A.2.0", "A.2.1", "A.3.0", "A.4.0", "A.4.1", "B.1.0", "B.2.0", "C.2.0", "C.4.0", "C.5.0",
                  "C.6.0", "C.7.0", "C.8.0"}
NO_EXECUTABLE = "the diagram has no executable process"


def refusal(xml: bytes) -> DiagramInvalidError:
    """The validator's error for a diagram it must refuse."""
    with pytest.raises(DiagramInvalidError) as caught:
        validate_diagram(xml, {}, {"market_supervision"})
    return caught.value


def kinds(xml: bytes) -> dict[str, str]:
    """Element id -> BPMN tag of the document's processes, pools and collaborations."""
    root = etree.fromstring(xml)
    return {n.get("id"): etree.QName(n).localname for n in root.iter(f"{{{BPMN_NS}}}process",
                                                                      f"{{{BPMN_NS}}}participant",
                                                                      f"{{{BPMN_NS}}}collaboration")}


@pytest.mark.skipif(len(DIAGRAMS) != 21, reason=f"the 21 MIWG reference diagrams are not at {MIWG}")
def test_miwg_diagrams_without_an_executable_process_name_each_process_or_its_pool() -> None:
    refused = {}
    for path in DIAGRAMS:
        err = refusal(path.read_bytes())  # none of them deploys as it is (lanes, forms, FEEL, ...)
        if err.message == NO_EXECUTABLE:
            refused[path.stem] = err
    assert set(refused) == NOT_EXECUTABLE
    for stem, err in refused.items():
        xml = (MIWG / f"{stem}.bpmn").read_bytes()
        named = kinds(xml)
        assert err.details, stem
        for detail in err.details:
            assert named.get(detail["element"]) in ("process", "participant"), (stem, detail)
            assert 'isExecutable="true"' in detail["message"], (stem, detail)
        processes = [k for k, kind in named.items() if kind == "process"]
        assert len(err.details) == len(processes), stem  # one error per process, at its pool where it has one


@pytest.mark.skipif(len(DIAGRAMS) != 21, reason=f"the 21 MIWG reference diagrams are not at {MIWG}")
@pytest.mark.parametrize(("stem", "expected"), [
    ("C.8.0", [("VacationRequestProcess", "process 'Vacation Request - (i18n)' (VacationRequestProcess) "
                                          'has isExecutable="false"')]),
    ("C.6.0", [("_898aa942-9a96-4405-ae71-22b5e2e3d235", "process 'Simple Travel Booking' "
                                                         "(_898aa942-9a96-4405-ae71-22b5e2e3d235) has no isExecutable "
                                                         "attribute")]),
    ("A.4.1", [(pool, f"pool '{name}' ({pool}) shows process '{name}' ({process}), which has isExecutable=\"false\"")
               for pool, name, process in [
                   ("sid-66751F1E-EEB9-4BA7-9FDA-7965A1CA9CD1", "Pool 1", "sid-34746A54-1D7D-46CA-B219-0C4CEAE51170"),
                   ("sid-7E61DCD0-0700-4828-8A28-CD65132273D7", "Pool 2", "sid-54D696FD-DEDC-45F3-99DB-1404DA433FC4"),
               ]]),
])
def test_the_messages_say_which_process_and_why(stem: str, expected: list[tuple[str, str]]) -> None:
    err = refusal((MIWG / f"{stem}.bpmn").read_bytes())
    assert [(d["element"], d["message"].split(";")[0]) for d in err.details] == expected


DEFINITIONS = f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="defs">{{}}</bpmn:definitions>'


@pytest.mark.parametrize(("body", "element", "fragment"), [
    ("", None, "the document contains no process"),
    ('<bpmn:collaboration id="collab"/>', "collab", "collaboration 'collab' has no pools and no process"),
    ('<bpmn:collaboration id="collab"><bpmn:participant id="pool_a" name="市场监管"/>'
     '<bpmn:participant id="pool_b" processRef="missing"/></bpmn:collaboration>', "pool_a",
     "pool '市场监管' (pool_a) has no process in this document"),
    ('<bpmn:process id="case" name="移送" isExecutable="False"/>', "case", 'process \'移送\' (case) has '
                                                                        'isExecutable="False"'),
])
def test_documents_without_a_process_name_the_pool_or_collaboration(body: str, element: str | None,
                                                                    fragment: str) -> None:
    err = refusal(DEFINITIONS.format(body).encode())
    assert err.message == NO_EXECUTABLE
    assert err.details[0]["element"] == element and err.details[0]["message"].startswith(fragment)
    assert "executable" in err.details[0]["message"].lower()


@pytest.mark.skipif(len(DIAGRAMS) != 21, reason=f"the 21 MIWG reference diagrams are not at {MIWG}")
def test_an_upload_through_the_api_gets_422_with_the_pools(client, auth) -> None:  # noqa: ANN001
    diagram = (io.BytesIO((MIWG / "A.4.1.bpmn").read_bytes()), "A.4.1.bpmn")
    response = client.post("/api/v1/process-definitions", data={"diagram": diagram}, headers=auth.headers("admin"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert [e["element"] for e in response.get_json()["errors"]] == [
        "sid-66751F1E-EEB9-4BA7-9FDA-7965A1CA9CD1", "sid-7E61DCD0-0700-4828-8A28-CD65132273D7"]
