"""Every page each role can reach, in Chinese and in English, walked in the browser by following the pages' links.

The browser counterpart of tests/test_web_every_page_language.py: what Chromium shows (the body's text, titles,
placeholders, labels read aloud, options, chart labels) holds no interface text of the other language and no
raw key of the code (tests/browser/walk.py). The demo cases, with work in every state, are the data: items open
and claimed, an item escalated to its supervising agency, an extension, notices of each kind, a mediation with
its confirmation package, a reporting round, a case stopped in error. All findings are listed at the end.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.demo import load_demo
from app.demo_cases import load_demo_cases
from app.extensions import db
from app.files import file_store
from tests.browser.conftest import VIEWPORT, _deploy_shipped, sign_in
from tests.browser.seed import DATA
from tests.browser.walk import Walk, data_texts
from workflows.clock import now
from workflows.deployment.deploy import deploy
from workflows.models import ProcessInstance, User, WorkItem
from workflows.work.attachments import store_upload
from workflows.work.deadline_extensions import extend_deadline
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.work_items import claim, complete

# One user per role and agency type: who meets which pages.
USERS = ["admin", "jd_supervisor", "jd_msa_leader", "jd_msa_liaison", "sh_ipo_liaison", "jd_police_liaison",
         "jd_police_leader", "jd_procurator", "jd_court_clerk", "jd_judge", "jd_mediator",
         "jd_tax_liaison", "ks_msa_liaison"]
ERROR_PAGES = ("/instances/999999999", "/admin/")  # 404, and 403 for anyone but an admin: read as a liaison


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def _instance(key: str) -> ProcessInstance:
    return db.session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == key)).one()


def _open_item(instance: ProcessInstance, task: str | None = None) -> WorkItem:
    return next(i for i in instance_work_items(db.session, instance, active_only=True)
                if task is None or i.task_name == task)


def _round_with_a_draft_in(app: Flask) -> None:
    """上海市知识产权局's reporting round for its two district bureaus; 嘉定 has sent its draft to its leader."""
    office = _user("sh_ipo_liaison")
    due = (now() + timedelta(days=10)).date().isoformat()
    instance = start_instance(db.session, office, "work_report", business_key="沪知报〔2026〕9号", data={
        "kind": "half_year", "title": "2026年下半年知识产权保护工作总结", "period": "2026-H2", "due_date": due,
        "bureaus": ["jd_msa", "cn_msa"]})
    item = next(i for i in instance_work_items(db.session, instance, active_only=True)
                if i.candidate_agency.code == "jd_msa")
    liaison = _user("jd_msa_liaison")
    claim(db.session, liaison, item)
    with app.test_request_context():
        upload = store_upload(db.session, file_store(), liaison, io.BytesIO(b"report"), "report.docx", None, item)
    complete(db.session, liaison, item, {"summary": "下半年工作总结", "report_file": upload.describe()})


def _stopped_case() -> None:
    """A lead whose start data names an agency the directory lacks: the case stops in error."""
    folder = DATA / "stopped_case"
    forms = {f.name: f.read_bytes() for f in sorted(folder.glob("*.json"))}
    deploy(db.session, (folder / "stopped_case.bpmn").read_bytes(), forms, actor=None)
    start_instance(db.session, _user("jd_msa_liaison"), "stopped_case", business_key="JD-2026-ERR",
                   data={"lead_summary": "外区线索", "target_agency": "wz_msa"})


def _seed(app: Flask) -> None:
    """The demo directory, processes and cases, and the states the demo cases do not leave."""
    load_demo(db.session, None)
    _deploy_shipped()
    db.session.commit()
    load_demo_cases(db.session)  # DEMO-CT-OVERDUE is overdue and escalated to the procuratorate
    claim(db.session, _user("ks_msa_liaison"), _open_item(_instance("DEMO-LEAD-RECEIVE")))  # claimed, not done
    assisting = _open_item(_instance("DEMO-ASSIST"))
    extend_deadline(db.session, _user("ks_msa_leader"), assisting, "涉及企业较多，需延长协查")
    _round_with_a_draft_in(app)
    _stopped_case()
    db.session.commit()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server of its own (the demo cases would change what the other browser tests count): its URL and
    the texts its database holds."""
    folder: Path = tmp_path_factory.mktemp("walk")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'walk.sqlite'}",
                                 "ATTACHMENT_DIR": str(folder / "attachments"),
                                 "SEND_FILE_MAX_AGE_DEFAULT": 3600})  # static files cached, as in production
    with app.app_context():
        upgrade()
        _seed(app)
        data = data_texts(db.session, db.metadata)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", data
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def _walk_as(browser: Any, origin: str, data: str, user: str, language: str, seen: set[str]) -> Walk:
    """Sign in as `user` in a fresh context, switch to `language`, walk from the landing page; a script error
    or a refusal by the Content-Security-Policy on the way is a finding too."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=origin)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(f"{user} {language} {page.url}: script error {err}"))
    page.on("console", lambda message: errors.append(f"{user} {language} {page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)  # a refused inline script or style
    try:
        sign_in(page, user)
        page.goto(f"/language/{language}?next=/")
        walk = Walk(page, origin, language, user, seen, data)
        walk.run("/", extra=ERROR_PAGES if user == "jd_msa_liaison" else ())
    finally:
        context.close()
    walk.findings.extend(errors)
    return walk


def _signed_out(browser: Any, origin: str, data: str, language: str) -> Walk:
    """The sign-in page, before anyone signs in."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=origin)
    page = context.new_page()
    try:
        page.goto(f"/language/{language}?next=/login")
        walk = Walk(page, origin, language, "(signed out)", set(), data)
        walk.read("/login")
    finally:
        context.close()
    return walk


def test_every_page_of_every_role_in_both_languages(browser, demo_server: tuple[str, str]) -> None:  # noqa: ANN001
    origin, data = demo_server
    findings, pages = [], 0
    for language in ("zh", "en"):
        seen: set[str] = set()
        walks = [_signed_out(browser, origin, data, language)]
        walks += [_walk_as(browser, origin, data, user, language, seen) for user in USERS]
        for walk in walks:
            findings += walk.findings
            pages += len(walk.visited)
        by_user = {w.user: w.visited for w in walks}
        # The walk reached what each role works with (a walk stuck on its landing page finds nothing wrong).
        assert any("/mediation/" in p and p.endswith("/package") for p in by_user["jd_judge"]), by_user["jd_judge"]
        assert any(p.startswith("/work-items/") for p in by_user["jd_police_liaison"])
        assert any(p.startswith("/statistics") for p in by_user["jd_supervisor"])
        assert any(p.startswith("/admin/processes/") and p.endswith("/modeler") for p in by_user["admin"])
        assert "/notices" in by_user["jd_procurator"]
    assert pages > 200
    assert not findings, f"{len(findings)} findings over {pages} pages:\n" + "\n".join(findings)
