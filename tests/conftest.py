"""Fixtures: an app on a fresh database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), demo directory, clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

import workflows.models.user as user_model
from app import create_app
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from workflows.clock import set_clock
from workflows.models import Base, User

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# Hashing cost is not under test; the real method is exercised in test_auth.
user_model.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PostgreSQL when CI provides it, else a throw-away SQLite file."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application with its schema built by the Alembic migrations.

    No application context stays pushed: each request must get its own, as in production.
    """
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory)})
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter collects them


def _wipe() -> None:
    """Empty every table (TRUNCATE on PostgreSQL passes the audit trail's append-only trigger)."""
    db.session.remove()
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
def _clean(app: Flask) -> Iterator[None]:
    """Every test starts on empty tables and the real clock."""
    yield
    set_clock(None)
    with app.app_context():
        _wipe()


@pytest.fixture
def session(app: Flask) -> Iterator:
    """A database session inside an application context, for tests below the HTTP layer."""
    with app.app_context():
        yield db.session


@pytest.fixture
def demo(app: Flask) -> dict[str, int]:
    """The demo directory (no processes); returns user ids by username."""
    with app.app_context():
        load_demo(db.session, None)
        db.session.commit()
        return {u.username: u.id for u in db.session.query(User).all()}


@pytest.fixture
def shipped(app: Flask, demo: dict[str, int]) -> dict[str, int]:
    """The demo directory with the shipped processes deployed."""
    from workflows.deployment import deploy_folder

    with app.app_context():
        deploy_folder(db.session, ROOT / "bpmn")
        db.session.commit()
    return demo


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


class Auth:
    """Obtains bearer tokens for demo users."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}

    def headers(self, username: str) -> dict[str, str]:
        """Authorization headers for the user (logging in once)."""
        if username not in self._tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 201, response.get_json()
            self._tokens[username] = response.get_json()["token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}


@pytest.fixture
def auth(client: FlaskClient, demo: dict[str, int]) -> Auth:
    """Token helper over the demo users."""
    return Auth(client)


@pytest.fixture
def other_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Builds further apps on throw-away SQLite files, and closes their pools afterwards."""
    built: list[Flask] = []

    def build(database: str = "other.sqlite", url: str | None = None, **overrides: object) -> Flask:
        url = url or f"sqlite:///{tmp_path / database}"
        built.append(create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **overrides}))
        return built[-1]

    yield build
    for application in built:
        with application.app_context():
            db.engine.dispose()
