"""The mediator's list: cases of the processes whose diagram declares `mediationRecord`, paged in SQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

import app.web.mediation as mediation_pages
from tests.test_web_pages import sign_in
from workflows.deployment.deploy import deploy
from workflows.models import User
from workflows.work.instances import start_instance

DATA = Path(__file__).parent / "data" / "mediation_list"


def _cases(session, key: str, count: int) -> None:  # noqa: ANN001
    liaison = session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
    for n in range(count):
        start_instance(session, liaison, key, business_key=f"{key}-{n}")
    session.commit()


def _listed(client, path: str = "/mediation") -> str:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_only_processes_declaring_a_mediation_record_are_listed(app, client, session, demo, monkeypatch):  # noqa: ANN001
    for key in ("committee_record", "committee_referral"):  # the same lanes; only the first declares it
        deploy(session, (DATA / f"{key}.bpmn").read_bytes(), {}, None)
    _cases(session, "committee_record", 3)
    _cases(session, "committee_referral", 2)
    monkeypatch.setattr(mediation_pages, "PAGE_SIZE", 2)
    sign_in(client, "jd_mediator")
    first = _listed(client)
    assert "committee_record-2" in first and "committee_record-1" in first  # newest first
    assert "committee_referral" not in first and "committee_record-0" not in first
    after = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = _listed(client, after)
    assert "committee_record-0" in second and "committee_record-2" not in second
