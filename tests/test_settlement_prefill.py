"""The settlement form opens with the registered parties (issue 16 item 4): a diagram's `prefill` into a form field."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from tests.browser.seed import mediation_at_settlement
from tests.test_mediation_paths import COMPANY, PERSON
from tests.test_web_pages import post, sign_in
from workflows.engine.prefill import Prefill
from workflows.models import WorkItem
from workflows.work.prefills import prefilled


def _settlement(app: Flask, business_key: str) -> tuple[int, dict]:
    instance_id = mediation_at_settlement(app, business_key)
    with app.app_context():
        item = db.session.scalars(select(WorkItem).where(WorkItem.instance_id == instance_id,
                                                         WorkItem.task_name == "task_settlement")).one()
        return item.id, dict(item.prefilled or {})


def test_concat_joins_two_lists_of_rows_and_ignores_what_is_not_a_list(session, shipped) -> None:  # noqa: ANN001
    line = Prefill("parties", "concat", (("field", "applicants"), ("field", "respondents")))
    data = {"applicants": [{"name": "甲"}], "respondents": [{"name": "乙"}, {"name": "丙"}]}
    joined = {"parties": [{"name": "甲"}, {"name": "乙"}, {"name": "丙"}]}
    assert prefilled(session, "task", [line], data, None) == joined
    assert prefilled(session, "task", [line], {"applicants": "甲"}, None) == {"parties": []}


def test_the_settlement_item_is_prefilled_with_the_registered_parties(app: Flask, shipped) -> None:  # noqa: ANN001
    _item, values = _settlement(app, "嘉知调〔2026〕P1号")
    assert values == {"agreement_parties": [COMPANY, PERSON]}  # applicants first, then respondents


def test_the_settlement_form_opens_filled_in_and_stays_editable(app: Flask, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    item, _values = _settlement(app, "嘉知调〔2026〕P2号")
    sign_in(client, "jd_mediator")
    post(client, f"/work-items/{item}/claim")
    page = client.get(f"/work-items/{item}").get_data(as_text=True)
    assert f'id="f-agreement_parties-0-name" name="agreement_parties.0.name" type="text" class=" text" ' \
           f'value="{COMPANY["name"]}"' in page
    assert f'value="{PERSON["name"]}"' in page
    assert 'data-testid="prefilled"' not in page  # a form field, not a box of figures the holder cannot change
