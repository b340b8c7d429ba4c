"""What a browser asks of every site, and the API's Swagger UI page.

`/favicon.ico`: browsers ask for it whatever the page links, so it is served rather than a 404 in
every log. `/api/docs`: Swagger UI over `/api/v1/openapi.json`, served from app/static/vendor (no CDN)
and started by a static script, as the Content-Security-Policy allows no inline script.
"""

from __future__ import annotations

from flask import current_app, render_template, send_from_directory, url_for
from werkzeug.wrappers import Response

from app.extensions import limiter
from app.web.blueprint import web_bp


@web_bp.route("/favicon.ico")
@limiter.exempt
def favicon() -> Response:
    """The site's icon (cached a day, like the other static files)."""
    return send_from_directory(current_app.static_folder or "static", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)


@web_bp.route("/api/docs")
def api_docs() -> str:
    """Swagger UI over the API's OpenAPI document: read every operation, try them with a bearer token."""
    spec_url = url_for("api-docs.openapi_json")
    return render_template("api_docs.html", spec_url=spec_url)
