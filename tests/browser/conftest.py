"""Browser tests: Debian's Chromium (headless, driven by Playwright) against a live server on a temp SQLite DB."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from workflows.clock import set_clock
from workflows.deployment.deploy import DiagramInvalidError, deploy

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1366, "height": 768}


def _chromium() -> str | None:
    """Debian's Chromium (or CHROMIUM_PATH)."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests where they cannot run, or already ran (the PostgreSQL pass: they use SQLite)."""
    reason = None
    if os.environ.get("TEST_DATABASE_URL"):
        reason = "browser tests run in the SQLite pass only"
    elif _chromium() is None:
        reason = "Chromium is not installed: run scripts/setup-browser.sh"
    elif not (ROOT / "app/static/vendor/bpmn-js").is_dir() or not (ROOT / "app/static/vendor/modeler").is_dir():
        reason = "front-end assets missing: run scripts/build-assets.sh"
    if reason is None:
        return
    if os.environ.get("CI") and not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError(f"browser tests cannot run in CI: {reason}")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def db_transaction() -> Iterator[None]:
    """No test transaction: the live server commits on its own database, which the browser tests share."""
    yield
    set_clock(None)


def _deploy_shipped() -> None:
    """Deploy each shipped process; one being edited meanwhile (and invalid) must not stop the others."""
    for bpmn_file in sorted((ROOT / "bpmn").glob("*/*.bpmn")):
        forms = {f.name: f.read_bytes() for f in sorted(bpmn_file.parent.glob("*.json"))}
        try:
            deploy(db.session, bpmn_file.read_bytes(), forms, actor=None)
        except DiagramInvalidError as err:
            print(f"not deployed: {bpmn_file.name}: {err.details}")  # noqa: T201


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app on its own SQLite file with the demo directory and the shipped processes."""
    folder = tmp_path_factory.mktemp("live")
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}",
                                         "ATTACHMENT_DIR": str(folder / "attachments")})
    with application.app_context():
        upgrade()
        load_demo(db.session, None)
        _deploy_shipped()
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The app served by werkzeug in a thread on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, never a downloaded build."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=_chromium(), headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh contexts (one per user) at 1366x768; no page may raise a script error, nor break
    the Content-Security-Policy (Chromium reports each refusal on the console)."""
    contexts, errors = [], []

    def make(locale: str = "zh-CN") -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale=locale, base_url=live_server)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(f"{page.url}: {err}"))
        page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
