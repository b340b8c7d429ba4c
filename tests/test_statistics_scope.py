"""Who may see which figures, and what a request for statistics may ask."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("username", "query", "status"), [
    ("jd_msa_liaison", "period=2026", 403),  # a liaison sees no statistics
    ("jd_msa_leader", "period=2026&agency=jd_police", 403),  # a leader: the own agency and its subordinate offices
    ("jd_msa_leader", "period=2026&jurisdiction=嘉定区", 403),  # ... not the whole district
    ("jd_msa_leader", "period=2026&agency=jd_msa", 200),
    ("sh_ipo_liaison", "period=2026&agency=cn_msa", 200),  # 长宁 market supervision reports to the city office
    ("jd_supervisor", "period=2026&agency=nowhere", 404),
    ("jd_supervisor", "period=2026-Q5", 422),
    ("jd_supervisor", "period=2026-13", 422),
    ("jd_supervisor", "period=2026&from=2026-01-01&to=2026-02-01", 422),
    ("jd_supervisor", "from=2026-01-01", 422),
    ("jd_supervisor", "from=2026-03-01&to=2026-01-01", 422),
    ("jd_supervisor", "from=2000-01-01&to=2026-01-01", 422),  # more than ten years
    ("jd_supervisor", "from=9999-12-31&to=9999-12-31", 422),  # no day after it
    ("jd_supervisor", "from=0001-01-01&to=0001-01-02", 422),
    ("jd_supervisor", "period=0001", 422),
    ("jd_supervisor", "period=2026&agency=jd_msa&jurisdiction=嘉定区", 422),
    ("admin", "", 200),  # this year
])
def test_who_may_ask_what(client, auth, username: str, query: str, status: int) -> None:  # noqa: ANN001
    response = client.get(f"/api/v1/statistics?{query}", headers=auth.headers(username))
    assert response.status_code == status, response.get_json()
    if status != 200:
        assert response.get_json()["message"]


def test_signed_out_callers_get_401(client, demo) -> None:  # noqa: ANN001
    assert client.get("/api/v1/statistics?period=2026").status_code == 401

