"""Each list loads what it shows in a constant number of statements, never the engine state.

Every list request runs with 2 rows to show and again with 25, through the API and the pages; the
statements it sends must be the same number, and none may read `process_instance.state`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from tests.conftest import Auth
from tests.lists_data import ListData
from tests.test_web_pages import sign_in

STATE = re.compile(r"\bprocess_instance(?:_\d+)?\.state\b")

# Every statement a request sends is counted, its BEGIN included: no savepoints of the test's own.
pytestmark = pytest.mark.committed

API = [  # (user, path, rows expected at each size, or None: not a list of rows)
    ("jd_msa_liaison", "/api/v1/work-items?view=queue&limit=100", 2),  # the new items and the task_verify ones
    ("jd_msa_liaison", "/api/v1/work-items?view=mine", 1),
    ("jd_msa_liaison", "/api/v1/work-items?view=completed", 1),
    ("jd_msa_liaison", "/api/v1/work-items?view=overdue", 1),
    ("jd_procurator", "/api/v1/work-items?view=overdue", 1),  # supervised (escalateTo)
    ("jd_supervisor", "/api/v1/work-items?view=overdue", 1),  # every agency's
    ("jd_msa_liaison", "/api/v1/process-instances?limit=100", 3),
    ("jd_supervisor", "/api/v1/process-instances?limit=100", 3),
    ("jd_msa_liaison", "/api/v1/notices", 1),
    ("jd_msa_liaison", "/api/v1/notices/unread-count", None),
]
PAGES = [
    ("jd_msa_liaison", "/work-items?view=queue"), ("jd_msa_liaison", "/work-items?view=mine"),
    ("jd_msa_liaison", "/work-items?view=completed"), ("jd_msa_liaison", "/work-items?view=overdue"),
    ("jd_msa_liaison", "/work-items?view=queue&due=overdue"), ("jd_procurator", "/work-items?view=overdue"),
    ("jd_msa_liaison", "/instances"), ("jd_msa_liaison", "/notices"),
    ("jd_msa_leader", "/dashboard"), ("jd_supervisor", "/dashboard"),
]


@contextmanager
def recorded(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the application's engine sends while the block runs."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _api(app: Flask, client: FlaskClient, auth: Auth, size: int) -> dict[tuple[str, str], list[str]]:
    runs = {}
    for username, path, per_size in API:
        headers = auth.headers(username)
        with recorded(app) as seen:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        if per_size is not None:
            assert len(response.get_json()) == per_size * size, (username, path)
        runs[username, path] = seen
    return runs


def _pages(app: Flask, size: int) -> dict[tuple[str, str], list[str]]:
    runs, clients = {}, {}
    for username, path in PAGES:
        if username not in clients:
            clients[username] = app.test_client()
            sign_in(clients[username], username)
        with recorded(app) as seen:
            response = clients[username].get(path)
        assert response.status_code == 200, path
        assert "LIST-" in response.get_data(as_text=True), path
        runs[username, path] = seen
    return runs


@pytest.fixture
def sizes(app: Flask, client: FlaskClient, auth: Auth, shipped):  # noqa: ANN001, ANN201
    """The statements of every list request with 2 rows per list, then with 25 (each request in its own context)."""
    data = ListData(shipped)
    measured = []
    for size in (2, 25):
        with app.app_context():
            data.grow(size)
        measured.append({**_api(app, client, auth, size), **_pages(app, size)})
    return measured


def test_every_list_runs_as_many_statements_for_25_rows_as_for_2(sizes) -> None:  # noqa: ANN001
    few, many = sizes
    counts = {request: (len(few[request]), len(many[request])) for request in few}
    assert {r: c for r, c in counts.items() if c[0] != c[1]} == {}
    # Constant, and small: the user, the list (one statement per index read), the header's count.
    assert max(c for c, _ in counts.values()) <= 8, counts


def test_no_list_reads_the_engine_state(sizes) -> None:  # noqa: ANN001
    for run in sizes:
        for request, statements in run.items():
            assert [s for s in statements if STATE.search(s)] == [], request
