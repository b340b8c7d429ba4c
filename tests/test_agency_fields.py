"""Agencies picked from a list (issue 16 item 4): a task form's `x-agencies` field is a list of the directory's
active agencies by name, and a submission naming another code is refused at the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from tests.test_conditional_fields import _at_acceptance, _item_of
from tests.test_web_pages import sign_in
from workflows.directory.choices import HINT
from workflows.models import Agency, AgencyType

BPMN = Path(__file__).parents[1] / "bpmn"
# Every shipped field a lane's agencyFrom reads is picked from the directory, never typed as a code.
AGENCY_FIELDS = {("assistance_request", "request.json", "assisting_agency"): "market_supervision",
                 ("case_transfer", "accept.json", "police_agency"): "police",
                 ("guidance_request", "review.json", "pass_up_to"): "ip_office",
                 ("lead_transfer", "designate.json", "designated_agency"): None,
                 ("lead_transfer", "register.json", "target_agency"): None,
                 ("lead_transfer", "request_designation.json", "superior_agency"): "ip_office",
                 ("mediation_confirmation", "register_delegation.json", "delegating_court"): "court",
                 ("mediation_confirmation", "register_referral.json", "referring_agency"): "market_supervision"}


def test_every_shipped_field_naming_an_agency_is_declared_as_one() -> None:
    for (process, form, field), agency_type in AGENCY_FIELDS.items():
        schema = json.loads((BPMN / process / form).read_text("utf-8"))["properties"][field]
        assert schema[HINT] == ({"type": agency_type} if agency_type else {}), (process, field)
        assert "代码" not in schema["title"], (process, field)  # nobody is asked for a code
    typed = [f"{f.parent.name}/{f.name}" for f in BPMN.glob("*/*.json") if "（机构代码）" in f.read_text("utf-8")]
    assert typed == []


def _police(app: Flask) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(Agency.code, Agency.name).join(AgencyType, Agency.type_id == AgencyType.id)
                                  .where(AgencyType.code == "police", Agency.active.is_(True)))
        return dict(rows.all())


def test_the_page_offers_the_active_police_agencies_by_name(client: FlaskClient, auth, app: Flask,  # noqa: ANN001
                                                            shipped) -> None:  # noqa: ANN001
    instance_id = _at_acceptance(app, "JD-AG-1")
    headers = auth.headers("jd_police_liaison")
    item = _item_of(client, headers, instance_id, "task_accept")
    client.post(f"/api/v1/work-items/{item}/claim", headers=headers)
    sign_in(client, "jd_police_liaison")
    page = client.get(f"/work-items/{item}").get_data(as_text=True)
    select_html = re.search(r'<select id="f-police_agency" name="police_agency"[^>]*>(.*?)</select>', page, re.S)
    assert select_html, "the agency is a list"
    offered = dict(re.findall(r'<option value="([^"]+)" >([^<]+)</option>', select_html.group(1)))
    police = _police(app)
    assert len(police) >= 2 and offered == police  # every active police agency, by name, and nothing else


def test_a_code_the_field_does_not_offer_is_refused_at_the_field(client: FlaskClient, auth, app: Flask,  # noqa: ANN001
                                                                shipped) -> None:  # noqa: ANN001
    instance_id = _at_acceptance(app, "JD-AG-2")
    headers = auth.headers("jd_police_liaison")
    item = _item_of(client, headers, instance_id, "task_accept")
    client.post(f"/api/v1/work-items/{item}/claim", headers=headers)
    forward = {"acceptance": "forward", "forward_reason": "涉案地在长宁区", "police_agency": "cn_msa"}
    refused = client.post(f"/api/v1/work-items/{item}/complete", json={"data": forward}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"police_agency": ["'cn_msa' is not one of the agencies this field offers"]}
    other_police = next(code for code in _police(app) if code != "jd_police")
    forward["police_agency"] = other_police
    done = client.post(f"/api/v1/work-items/{item}/complete", json={"data": forward}, headers=headers)
    assert done.status_code == 200, done.get_json()
