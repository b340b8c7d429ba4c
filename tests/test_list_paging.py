"""Lists page in the database: the API's cursor headers, the pages' next links, the due-status filter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from tests.conftest import Auth
from tests.lists_data import READ_AT, ListData
from tests.test_web_pages import sign_in
from workflows.clock import set_clock
from workflows.work.notices import send


@pytest.fixture(scope="module")
def grown(app: Flask, demo_ids: dict[str, int], module_commits: None) -> ListData:
    """25 rows in every list of 嘉定 market supervision (the queue 50), made once for the module's tests."""
    data = ListData(demo_ids)
    with app.app_context():
        data.grow(25)
    return data


@pytest.fixture
def lists(grown: ListData, shipped: dict[str, int]) -> ListData:
    """The grown lists, read on Thu Mar 5 09:00."""
    set_clock(lambda: READ_AT)
    return grown


def _follow(client: FlaskClient, headers: dict[str, str], path: str) -> list[list[dict[str, Any]]]:
    """Every page of an API list, following X-Next-Cursor; each Link header names the same next page."""
    pages = []
    while path:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json())
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            assert "Link" not in response.headers
            break
        link = re.fullmatch(r'<http://localhost(/api/v1/[^>]+)>; rel="next"', response.headers["Link"])
        assert link and f"after={cursor}" in link.group(1)
        path = link.group(1)
    return pages


@pytest.mark.parametrize(("path", "total"), [
    ("/api/v1/work-items?view=completed&limit=10", 25), ("/api/v1/work-items?view=queue&limit=10", 50),
    ("/api/v1/work-items?view=overdue&limit=10", 25), ("/api/v1/process-instances?limit=10", 75),
    ("/api/v1/notices?limit=10", 25), ("/api/v1/notices?limit=10&unread=true", 25),
])
def test_following_the_cursor_reads_every_row_once_in_order(client: FlaskClient, auth: Auth, lists: ListData,
                                                            path: str, total: int) -> None:
    headers = auth.headers("jd_msa_liaison")
    pages = _follow(client, headers, path)
    rows = [row for page in pages for row in page]
    assert [len(p) for p in pages] == [10] * (total // 10) + ([total % 10] if total % 10 else [])
    assert len({r["id"] for r in rows}) == total
    whole = client.get(re.sub(r"limit=10", "limit=100", path), headers=headers).get_json()
    assert [r["id"] for r in rows] == [r["id"] for r in whole]  # the same order as one long page


def test_a_cursor_from_elsewhere_is_refused(client: FlaskClient, auth: Auth, lists: ListData) -> None:
    headers = auth.headers("jd_msa_liaison")
    queue_cursor = client.get("/api/v1/work-items?view=queue&limit=1", headers=headers).headers["X-Next-Cursor"]
    for bad in (queue_cursor, "not-a-cursor", "W10"):
        response = client.get(f"/api/v1/work-items?view=completed&after={bad}", headers=headers)
        assert response.status_code == 422 and "after" in response.get_json()["errors"], bad


def test_the_queue_filters_by_due_status_in_the_database_and_pages(app: Flask, lists: ListData) -> None:
    client = app.test_client()
    sign_in(client, "jd_msa_liaison")
    page = client.get("/work-items?view=queue&due=overdue").get_data(as_text=True)
    overdue = re.findall(r'<tr data-item="\d+" data-task="(\w+)" class="(\w*)"', page)
    assert overdue == [("task_verify", "overdue")] * 20  # the 25 overdue of 50 open items, 20 a page
    more = re.search(r'href="([^"]+)" rel="next"', page)
    assert more and "due=overdue" in more.group(1)
    rest = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'data-task="(\w+)" class="(\w*)"', rest) == [("task_verify", "overdue")] * 5
    assert 'rel="next"' not in rest and 'rel="first"' in rest
    assert "data-item=" not in client.get("/work-items?view=queue&due=due_today").get_data(as_text=True)


def test_the_case_and_notice_pages_link_their_next_page(app: Flask, lists: ListData) -> None:
    with app.app_context():  # 35 notices: more than a page of 30
        for number in range(10):
            send(db.session, kind="case_filed", agency=lists.agency("jd_msa"), title=f"more {number}")
        db.session.commit()
    client = app.test_client()
    sign_in(client, "jd_msa_liaison")
    pages = (("/instances", r"LIST-\d+", 25, 75), ("/notices", r'data-notice="\d+"', 30, 35))
    for path, marker, per_page, total in pages:
        first = client.get(path).get_data(as_text=True)
        more = re.search(r'href="([^"]+)" rel="next"', first)
        assert more, path
        rest = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
        shown, following = set(re.findall(marker, first)), set(re.findall(marker, rest))
        assert len(shown) == per_page and shown.isdisjoint(following), path
        assert len(following) == min(per_page, total - per_page), path
