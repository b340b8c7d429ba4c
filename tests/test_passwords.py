"""The production password hashing (scrypt), which every other test lowers to a cheap method for speed."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

import workflows.models.user as user_model
from tests.conftest import PRODUCTION_HASH_METHOD
from workflows.accounts.passwords import verify_password


@pytest.fixture
def production_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passwords as production does, for this test only."""
    monkeypatch.setattr(user_model, "PASSWORD_HASH_METHOD", PRODUCTION_HASH_METHOD)


def test_production_hashes_with_werkzeugs_scrypt() -> None:
    assert PRODUCTION_HASH_METHOD == "scrypt"


def test_a_password_set_with_scrypt_checks(session, demo, create_user, production_hashing) -> None:  # noqa: ANN001
    user = create_user("scrypt_user", password="correct horse 1")
    assert user.password_hash.startswith("scrypt:")
    assert "correct horse 1" not in user.password_hash
    assert verify_password(user, "correct horse 1")
    assert not verify_password(user, "correct horse 2")
    assert check_password_hash(user.password_hash, "correct horse 1")  # werkzeug reads it without our help


def test_a_scrypt_user_logs_in_over_the_api(client, session, demo, create_user, production_hashing) -> None:  # noqa: ANN001
    user = create_user("scrypt_user", "jd_police", ["leader"], password="correct horse 1")
    session.commit()
    assert user.password_hash.startswith("scrypt:")
    refused = client.post("/api/v1/auth/token", json={"username": "scrypt_user", "password": "correct horse 2"})
    assert refused.status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": "scrypt_user", "password": "correct horse 1"})
    assert response.status_code == 201, response.get_json()
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (me["username"], me["agency"]["code"], me["roles"]) == ("scrypt_user", "jd_police", ["leader"])
