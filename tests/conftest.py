"""Fixtures: one database per run, each test in a transaction rolled back afterwards, factories for test data.

The database (a SQLite file, or PostgreSQL from TEST_DATABASE_URL) is migrated once and holds the
baseline: the demo directory and the shipped processes, committed. Each test then runs on one
connection inside a transaction that is rolled back after it; `db.session` joins that transaction
with savepoints, so a `session.commit()` in the test or in a request only releases a savepoint.
Tests marked `committed` (other processes, other connections, or COMMIT itself under test) commit
for real, and the tables are put back to the baseline after them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, create_engine, delete, make_url, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

import workflows.models.user as user_model
from app import create_app
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db, limiter
from workflows.clock import set_clock
from workflows.deployment.deploy import deploy_folder
from workflows.directory import entries as directory
from workflows.models import Agency, Base, ProcessDefinition, ProcessInstance, User
from workflows.work.instances import start_instance

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# Hashing cost is not under test elsewhere; tests/test_passwords.py covers the production method.
PRODUCTION_HASH_METHOD = user_model.PASSWORD_HASH_METHOD
user_model.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

Rows = dict[str, list[dict[str, Any]]]


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker of tests that commit for real."""
    config.addinivalue_line("markers", "committed: the test's commits reach the database (other connections or "
                                       "processes read them, or COMMIT itself is under test); the tables return "
                                       "to the baseline after it")


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PostgreSQL when CI provides it, else a throw-away SQLite file; one database per pytest-xdist worker."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


def _worker_database(url: str, worker: str) -> str:
    """A fresh PostgreSQL database for one xdist worker, beside the one CI named (parallel workers must not share)."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_engine(base, isolation_level="AUTOCOMMIT")  # CREATE DATABASE runs outside a transaction
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, its schema built by the Alembic migrations and the baseline committed.

    No application context stays pushed: each request must get its own, as in production.
    """
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory)})
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_demo(db.session, None)
        deploy_folder(db.session, ROOT / "bpmn")
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter collects them


@pytest.fixture(scope="session")
def baseline(app: Flask) -> Rows:
    """Every row of the baseline by table, in id order (parents before children), to restore it."""
    with app.app_context(), db.engine.connect() as conn:
        return {table.name: [dict(row._mapping) for row in conn.execute(select(table).order_by(*table.primary_key))]
                for table in Base.metadata.sorted_tables}


def _empty(conn: Connection) -> None:
    """Delete every row; on PostgreSQL with TRUNCATE, the audit trail's trigger against it set aside meanwhile."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate"))
    else:
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))


def _restore(rows: Rows) -> None:
    """Put the tables back to the baseline after a test that committed."""
    db.session.remove()
    with db.engine.begin() as conn:
        _empty(conn)
        for table in Base.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])


class _JoinedSession(FlaskSession):
    """A session on the test's connection: Flask-SQLAlchemy would pick the app's engine instead."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        """The test's connection (a bind passed explicitly still wins)."""
        return bind if bind is not None else self.bind


def _joined_sessions(connection: Connection, url: str) -> scoped_session:
    """Sessions per application context, as db.session makes them, joined to the test's transaction.

    Every app on the test database joins (tests build second apps with other settings on it);
    an app on another database gets an ordinary session.
    """
    ordinary = db.session.session_factory
    joined = sessionmaker(class_=_JoinedSession, **{**ordinary.kw, "bind": connection,
                                                    "join_transaction_mode": "create_savepoint"})

    def make() -> FlaskSession:
        return joined() if current_app.config["SQLALCHEMY_DATABASE_URI"] == url else ordinary()

    return scoped_session(make, scopefunc=db.session.registry.scopefunc)


@pytest.fixture(autouse=True)
def db_transaction(request: pytest.FixtureRequest, app: Flask, baseline: Rows) -> Iterator[None]:
    """Run the test in a transaction rolled back afterwards (tests marked `committed`: restore the baseline)."""
    with app.app_context():
        limiter.reset()  # login attempts of earlier tests do not count against this one
        engine = db.engine
    if request.node.get_closest_marker("committed"):
        yield
        set_clock(None)
        with app.app_context():
            _restore(baseline)
        return
    connection = engine.connect()
    transaction = connection.begin()
    ordinary, db.session = db.session, _joined_sessions(connection, app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        yield
    finally:
        db.session = ordinary
        set_clock(None)
        transaction.rollback()
        connection.close()


@pytest.fixture
def empty_db(app: Flask, db_transaction: None) -> None:
    """Empty tables, as on a fresh installation (deleted inside the test's transaction)."""
    with app.app_context():
        _empty(db.session.connection())
        db.session.commit()


@pytest.fixture
def scratch_url(app: Flask, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's backend, apart from the suite's own (for migration tests)."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    name = f"xietong_scratch_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # parallel workers: one each
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator:
    """A database session inside an application context, for tests below the HTTP layer."""
    with app.app_context():
        yield db.session


@pytest.fixture(scope="session")
def demo_ids(baseline: Rows) -> dict[str, int]:
    """The baseline's user ids by username, for fixtures wider than one test."""
    return {row["username"]: row["id"] for row in baseline[User.__tablename__]}


@pytest.fixture(scope="module")
def module_commits(app: Flask, baseline: Rows) -> Iterator[None]:
    """Lets module-scoped fixtures commit rows that every test of the module reads; the baseline returns after.

    The module's tests still run in transactions rolled back after each; none of them may be marked `committed`.
    """
    yield
    with app.app_context():
        _restore(baseline)


@pytest.fixture
def demo(request: pytest.FixtureRequest, app: Flask, demo_ids: dict[str, int]) -> dict[str, int]:
    """The demo directory (no processes); returns user ids by username.

    The baseline's shipped processes are deleted in the test's transaction, unless it asks for them too.
    """
    if "shipped" not in request.fixturenames:
        with app.app_context():
            db.session.execute(delete(ProcessDefinition))
            db.session.commit()
    return dict(demo_ids)


@pytest.fixture
def shipped(demo: dict[str, int]) -> dict[str, int]:
    """The demo directory with the shipped processes deployed (both in the baseline); user ids by username."""
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


# --- factories: functions that add test data through the services and flush it ------------------

@pytest.fixture
def create_agency(session) -> Callable[..., Agency]:  # noqa: ANN001
    """Adds an agency of a known type (a 嘉定 market supervision bureau unless told otherwise)."""

    def create(code: str, name: str | None = None, *, type_code: str = "market_supervision",
               jurisdiction: str = "嘉定区", level: str = "district", parent_code: str | None = None,
               active: bool = True) -> Agency:
        agency = directory.create_agency(session, None, code=code, name=name or code, type_code=type_code,
                                         jurisdiction=jurisdiction, level=level, parent_code=parent_code)
        agency.active = active
        return agency

    return create


@pytest.fixture
def create_user(session) -> Callable[..., User]:  # noqa: ANN001
    """Adds a user of an existing agency (a 嘉定 market supervision liaison unless told otherwise)."""

    def create(username: str, agency_code: str = "jd_msa", roles: tuple[str, ...] | list[str] = ("liaison",), *,
               password: str = DEMO_PASSWORD, display_name: str | None = None) -> User:
        return directory.create_user(session, None, username=username, display_name=display_name or username,
                                     agency_code=agency_code, roles=list(roles), password=password)

    return create


@pytest.fixture
def create_instance(session) -> Callable[..., ProcessInstance]:  # noqa: ANN001
    """Starts an instance of a deployed process as a user (the 嘉定 liaison unless told otherwise)."""

    def create(process: str = "case_transfer", starter: str = "jd_msa_liaison", *, business_key: str | None = None,
               data: dict[str, Any] | None = None) -> ProcessInstance:
        user = session.scalars(select(User).where(User.username == starter)).one()
        return start_instance(session, user, process, data=data, business_key=business_key)

    return create


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
