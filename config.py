"""Settings classes, chosen by XIETONG_CONFIG; secrets come only from the environment."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


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
    # Production points this at Redis (scripts/run-production.sh starts one), so that the login limit
    # holds across server processes; memory:// counts per process.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # When Redis is down, count in each process's memory (logged) rather than refuse every login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = _flag("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # A hung Redis must not hang logins: give up after a second and fall back.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")  # per client address, all attempts
    # Per account, refused passwords only (a login's or a password change's), whichever address they come from.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes")
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))  # at least 8 (workflows.passwords)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # diagrams and forms; attachments come later
    BPMN_DIR = str(BASE_DIR / "bpmn")
    # Production runs `flask run-timers` processes beside the web servers; development fires timers in-process.
    TIMER_WORKER_IN_PROCESS = os.environ.get("TIMER_WORKER_IN_PROCESS", "0") == "1"
    TIMER_INTERVAL_SECONDS = float(os.environ.get("TIMER_INTERVAL_SECONDS", "30"))
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR")  # default: <instance folder>/attachments
    # Serving: "json" (one object per line, with the request id) or "text" for people.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # How many reverse proxies in front set X-Forwarded-*; 0 trusts none, so clients cannot spoof addresses.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    METRICS_ENABLED = _flag("METRICS_ENABLED", True)
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.1/32,::1/128")  # networks that may read /metrics
    # Where every process writes its metrics for /metrics to add up (prometheus_client reads it at import).
    PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


class DevelopmentConfig(Config):
    """Local runs on the embedded SQLite database with demo data."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    TIMER_WORKER_IN_PROCESS = os.environ.get("TIMER_WORKER_IN_PROCESS", "1") == "1"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)  # http://127.0.0.1:5000
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    """Tests: a database URL from TEST_DATABASE_URL (PostgreSQL in CI) or a temporary SQLite file."""

    TESTING = True
    SECRET_KEY = "test-only"
    LOGIN_RATE_LIMIT = "1000 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "1000 per minute"
    TIMER_WORKER_IN_PROCESS = False  # tests move the clock and fire timers themselves
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    SESSION_COOKIE_SECURE = False  # the test client and the browser tests speak plain HTTP
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_STORAGE_URI = "memory://"


class ServingConfig:
    """The production server's own settings (gunicorn.conf.py reads them; scripts/run-production.sh sets them)."""

    BIND = os.environ.get("BIND", "127.0.0.1:8000")
    WEB_PROCESSES = int(os.environ.get("WEB_PROCESSES", "2"))
    # Seconds a server process gets to finish its requests on stop or reload, then it is killed.
    GRACEFUL_TIMEOUT = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
    # A request running longer than this gets its process restarted (sync workers do one at a time).
    WEB_TIMEOUT = int(os.environ.get("WEB_TIMEOUT", "60"))
    LOG_FORMAT = Config.LOG_FORMAT
    # gunicorn's control socket (for `gunicornc`); one per installation, none when unset.
    CONTROL_SOCKET = os.environ.get("GUNICORN_CONTROL_SOCKET")


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}


def get_config(name: str | None = None) -> type[Config]:
    """The settings class named by the argument or XIETONG_CONFIG (default: development)."""
    return CONFIGS[name or os.environ.get("XIETONG_CONFIG", "development")]
