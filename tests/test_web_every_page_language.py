"""Every page, in both languages: no interface text of the other language is left on it.

The page texts come from the catalog: on a Chinese page no English source text may appear, on
an English page no Chinese translation. Case data (names, case numbers), and the diagrams'
task names and form labels, are in Chinese either way and are not interface text: short catalog
entries, and those that also occur in the shipped diagrams, forms or demo data, are left out.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo_cases import load_demo_cases
from app.extensions import db
from tests.conftest import ROOT
from tests.test_web_pages import sign_in
from workflows.models import ProcessInstance, WorkItem

CATALOG = Path(ROOT) / "app/translations/zh/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


def _texts() -> tuple[list[str], list[str]]:
    """(English source texts, Chinese translations) long enough not to occur inside case data."""
    with CATALOG.open("rb") as f:
        messages = [m for m in read_po(f, locale="zh") if m.id and m.string and isinstance(m.id, str)]
    content = "\n".join(path.read_text(encoding="utf-8") for path in
                        [*sorted((Path(ROOT) / "bpmn").rglob("*.*")), Path(ROOT) / "app/demo_cases.json",
                         Path(ROOT) / "app/demo.py"] if path.suffix in (".bpmn", ".json", ".py"))
    english = {part.strip() for m in messages for part in PLACEHOLDER.split(m.id) if len(part.strip()) >= 14}
    chinese = {part.strip() for m in messages for part in PLACEHOLDER.split(m.string) if len(part.strip()) >= 5}
    return sorted(english), sorted(t for t in chinese if t not in content)


ENGLISH, CHINESE = _texts()


@pytest.fixture
def demo_cases(app: Flask, shipped: dict[str, int]) -> dict[str, int]:
    """The demo directory, processes and cases; ids of one instance and item per kind of page."""
    with app.app_context():
        load_demo_cases(db.session)
        db.session.commit()
        by_key = {i.business_key: i for i in db.session.scalars(select(ProcessInstance))}
        item = db.session.scalars(select(WorkItem).where(WorkItem.instance_id == by_key["DEMO-CT-OVERDUE"].id,
                                                         WorkItem.status == "open")).first()
        return {"transfer": by_key["DEMO-CT-OVERDUE"].id, "mediation": by_key["DEMO-MC-REVIEW"].id,
                "item": item.id}


def _pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(user, path) for every page of the application."""
    liaison, admin = "jd_police_leader", "admin"
    return [
        (liaison, "/work-items"), (liaison, "/work-items?view=overdue"), (liaison, f"/work-items/{ids['item']}"),
        (liaison, "/instances"), (liaison, "/instances/new"), (liaison, f"/instances/{ids['transfer']}"),
        (liaison, "/notices"), ("jd_supervisor", "/dashboard"),
        ("jd_supervisor", "/statistics"), ("jd_msa_leader", "/statistics?kind=month&process=case_transfer"),
        ("jd_judge", "/mediation"), ("jd_judge", f"/mediation/{ids['mediation']}"),
        ("jd_judge", f"/mediation/{ids['mediation']}/package"),
        (admin, "/admin/"), (admin, "/admin/agencies"), (admin, "/admin/users"), (admin, "/admin/calendar"),
        (admin, "/admin/modeler"), (admin, "/admin/processes/case_transfer"),
        (admin, "/admin/processes/case_transfer/modeler"), (admin, "/admin/processes/upload"),
        (admin, f"/instances/{ids['transfer']}"),
    ]


def test_every_page_in_chinese_then_english(app: Flask, client: FlaskClient, demo_cases) -> None:  # noqa: ANN001
    assert len(ENGLISH) > 50 and len(CHINESE) > 50
    checked = 0
    for user, path in _pages(demo_cases):
        client.get("/logout")
        sign_in(client, user)
        chinese_page = client.get(path)
        assert chinese_page.status_code == 200, (user, path)
        text = html.unescape(chinese_page.get_data(as_text=True))
        assert '<html lang="zh' in text, path
        left = [t for t in ENGLISH if t in text]
        assert not left, f"{path} in Chinese shows English interface text: {left}"
        client.get("/language/en")
        english_page = client.get(path)
        text = html.unescape(english_page.get_data(as_text=True))
        assert '<html lang="en">' in text, path
        left = [t for t in CHINESE if t in text]
        assert not left, f"{path} in English shows Chinese interface text: {left}"
        client.get("/language/zh")
        checked += 1
    assert checked == len(_pages(demo_cases))
