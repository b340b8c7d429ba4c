"""Flask extensions, created unbound and initialised by the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DataError

from app.api.docs import DeclaredAccess, XietongApi
from workflows.db import Base

# Objects stay readable after the request's single commit (dumping the response must not reload them).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
rest_api = XietongApi(spec_kwargs={"extra_plugins": [DeclaredAccess()]})
babel = Babel()  # pages in Simplified Chinese by default, English on request (app.web.i18n)
csrf = CSRFProtect()  # every page form; the bearer-token API is exempt (app.web.security)


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite transactions take the write lock at BEGIN, so concurrent writers queue instead of failing."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # noqa: ANN001
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # noqa: ANN001
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "handle_error")
    def _too_large(context: ExceptionContext) -> DataError | None:
        # sqlite3 refuses an int past 64 bits with a bare OverflowError; PostgreSQL's refusal of an
        # out-of-range number is a DataError. One type, so app.errors answers both alike (422).
        if isinstance(context.original_exception, OverflowError):
            return DataError(context.statement, context.parameters, context.original_exception)
        return None
