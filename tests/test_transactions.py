"""How a request's transaction ends: reads commit (psycopg keeps its prepared statements), failures roll back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from app.extensions import db

# COMMIT and ROLLBACK on the connection are what these tests watch.
pytestmark = pytest.mark.committed


@pytest.fixture
def endings(app) -> Iterator[list[str]]:  # noqa: ANN001
    """The COMMITs and ROLLBACKs the engine sends from now on."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda _conn: seen.append("commit"), "rollback": lambda _conn: seen.append("rollback")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(engine, name, listener)


def test_a_read_ends_with_commit_not_rollback(client, auth, endings):  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    endings.clear()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/work-items?view=queue", headers=headers).status_code == 200
    assert endings == ["commit", "commit"]


def test_a_refused_change_is_rolled_back_before_anything_else(client, auth, endings):  # noqa: ANN001
    headers = auth.headers("jd_msa_liaison")
    endings.clear()
    assert client.post("/api/v1/work-items/99999/claim", headers=headers).status_code == 404
    assert endings[0] == "rollback"
