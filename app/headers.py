"""Security headers on every response: what a page may load and run, no framing, no sniffing, no leaking referrers.

The pages load only their own files: scripts from /static (no inline script or event attribute;
data for scripts travels in `<script type="application/json">` blocks, which never run), styles
from /static, images and fonts from /static or `data:` URLs (bpmn-js draws its icons with them).
The API sends the same headers: they cost nothing and make a JSON answer opened in a browser inert.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the headers to every response (a view that sets one of its own keeps it)."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
