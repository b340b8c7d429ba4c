"""The application as gunicorn serves it to the race tests: the test settings on the test database."""

from __future__ import annotations

import os

import workflows.models.user as user_model
from app import create_app

user_model.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # as in tests/conftest.py: hashing cost is not under test

app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": os.environ["XIETONG_SERVED_DATABASE_URL"]})
