"""Settings classes, chosen by XIETONG_CONFIG; secrets come only from the environment."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class Config:
    """Production defaults: everything secret or site-specific comes from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'xietong.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    API_TITLE = "Xietong 协同 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    JSON_AS_ASCII = False
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # diagrams and forms; attachments come later
    BPMN_DIR = str(BASE_DIR / "bpmn")
    # Production runs `flask run-timers` processes beside the web servers; development fires timers in-process.
    TIMER_WORKER_IN_PROCESS = os.environ.get("TIMER_WORKER_IN_PROCESS", "0") == "1"
    TIMER_INTERVAL_SECONDS = float(os.environ.get("TIMER_INTERVAL_SECONDS", "30"))


class DevelopmentConfig(Config):
    """Local runs on the embedded SQLite database with demo data."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    TIMER_WORKER_IN_PROCESS = os.environ.get("TIMER_WORKER_IN_PROCESS", "1") == "1"


class TestConfig(Config):
    """Tests: a database URL from TEST_DATABASE_URL (PostgreSQL in CI) or a temporary SQLite file."""

    TESTING = True
    SECRET_KEY = "test-only"
    LOGIN_RATE_LIMIT = "1000 per minute"
    TIMER_WORKER_IN_PROCESS = False  # tests move the clock and fire timers themselves


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}


def get_config(name: str | None = None) -> type[Config]:
    """The settings class named by the argument or XIETONG_CONFIG (default: development)."""
    return CONFIGS[name or os.environ.get("XIETONG_CONFIG", "development")]
