"""The case page's data panel as a person reads it: each value under the title of the form field that holds
it, no engine counters, and the whole panel readable in its 420 px column without a box to scroll inside."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.seed import APPROVE, VERIFY, _step, _user
from tests.helpers import REGISTER
from workflows.models import ProcessInstance
from workflows.work.instances import start_instance

PARTIES = [{"name": f"上海某贸易有限公司{n}", "party_type": "legal_person", "id_number": f"9131011400000000{n}X",
            "address": "上海市嘉定区某某路1号", "contact": "021-59990000"} for n in range(3)]
EVIDENCE = [{"name": f"现场检查笔录{n}", "evidence_type": "书证", "description": "证明被查处商品的数量和存放地点",
             "pages": 3} for n in range(5)]
SEIZED = [{"name": "运动鞋", "quantity": 1200, "unit": "双"}, {"name": "包装盒", "quantity": 800, "unit": "个"}]


def rich_case(app) -> int:  # noqa: ANN001
    """A case transfer registered with three parties, five evidence items and two seized goods, then approved."""
    with app.app_context():
        instance = start_instance(db.session, _user("jd_msa_liaison"), "case_transfer", {}, business_key="PANEL-1")
        db.session.commit()
        register = {**REGISTER, "parties": PARTIES, "evidence_list": EVIDENCE, "seized_items": SEIZED}
        for username, data in (("jd_msa_liaison", register), ("jd_msa_liaison", VERIFY), ("jd_msa_leader", APPROVE)):
            _step(instance, username, data)
        stored = db.session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance.id)).one()
        assert "supplement_rounds" in stored.state["xietong_data"]  # the engine counter is in the data ...
        return instance.id


def test_case_data_is_labelled_by_its_fields_and_fits_its_column(live_app, new_page) -> None:  # noqa: ANN001
    instance_id = rich_case(live_app)
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    page.goto(f"/instances/{instance_id}")
    panel = page.locator("[data-testid=case-data]")
    text = panel.inner_text()
    assert "supplement_rounds" not in text and "forward_rounds" not in text  # ... but never shown

    def row_labels(field: str) -> set[str]:
        return set(panel.locator(f"dt[data-field={field}] + dd dl.nested > dt").all_inner_texts())

    assert row_labels("parties") >= {"姓名或者名称", "当事人类型", "身份证件号码或者统一社会信用代码"}
    assert "物品名称" not in row_labels("parties")
    assert row_labels("evidence_list") >= {"证据名称", "证据种类", "证明事项", "页数"}
    assert row_labels("seized_items") >= {"物品名称", "数量", "单位"}
    assert panel.locator("details.data-group summary").first.inner_text() == "登记涉嫌犯罪案件"

    layout = panel.evaluate("""panel => {
        const card = panel.closest('.card');
        const boxes = [card, ...card.querySelectorAll('*')];
        const scrolling = boxes.filter(el => {
            const style = getComputedStyle(el);
            return (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1)
                || el.scrollWidth > el.clientWidth + 1 && /(auto|scroll|hidden)/.test(style.overflowX);
        }).map(el => el.tagName + '.' + el.className);
        const right = card.getBoundingClientRect().right;
        const sticking = [...panel.querySelectorAll('dt, dd')]
            .filter(el => el.getBoundingClientRect().right > right + 1).length;
        return {width: card.getBoundingClientRect().width, height: card.scrollHeight, client: card.clientHeight,
                scrolling, sticking};
    }""")
    assert layout["width"] == 420, layout
    assert layout["height"] == layout["client"] and layout["height"] > 420, layout  # taller than 420: no inner box
    assert layout["scrolling"] == [] and layout["sticking"] == 0, layout

    page.locator("details.data-group summary").first.click()  # a group folds away
    assert not panel.locator("dt[data-field=parties]").is_visible()
