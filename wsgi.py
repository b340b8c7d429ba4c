"""The one module-level application, for `flask` and WSGI servers."""

from app import create_app

app = create_app()
