"""HTML pages rendered as PDF with WeasyPrint, which fetches nothing but the app's own static files.

WeasyPrint needs Pango (and a CJK font for Chinese text) from the system: `scripts/setup-pdf.sh`
installs them. It is imported on first use, so the rest of the app runs where they are missing.

What does not change between renders is made once per process and kept: the font configuration (the
fonts found and loaded for the first PDF serve every later one) and the static files the pages link
(app.css is read from disk once). `python -m bench.package_pdf` prints the first render and the later ones.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, request
from werkzeug.security import safe_join


class PdfUnavailableError(RuntimeError):
    """WeasyPrint or the system libraries it needs cannot be loaded."""


def _weasyprint() -> ModuleType:
    """The weasyprint module; a missing Pango raises OSError on import."""
    try:
        import weasyprint
    except (ImportError, OSError) as err:
        raise PdfUnavailableError(str(err).splitlines()[0] if str(err) else type(err).__name__) from err
    return weasyprint


@cache
def font_configuration() -> Any:
    """One FontConfiguration for the process: its fonts are looked up and loaded once, not per PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _static_file(found: str) -> bytes:
    """A static file's bytes, read once (they change only with a deployment, which restarts the process)."""
    return Path(found).read_bytes()


def static_fetcher(weasyprint: ModuleType, static_folder: str, static_prefix: str) -> Any:
    """A URL fetcher that answers `<static_prefix>...` paths from the static folder and refuses the rest.

    A page holds user data; nothing in it may make the server read local files or reach the network.
    """
    class StaticFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = unquote(urlsplit(url).path)
            found = safe_join(static_folder, path[len(static_prefix):]) if path.startswith(static_prefix) else None
            if urlsplit(url).scheme not in ("http", "https") or found is None or not Path(found).is_file():
                raise ValueError(f"only the app's static files are fetched, not {url}")
            kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, _static_file(found), {"Content-Type": kind})

    return StaticFetcher(allowed_protocols=("http", "https", "data"))


def render_pdf(html: str) -> bytes:
    """The page as PDF, laid out for print media (the `@media print` and `@page` rules of app.css)."""
    weasyprint = _weasyprint()
    static_prefix = f"{current_app.static_url_path.rstrip('/')}/"
    fetcher = static_fetcher(weasyprint, current_app.static_folder or "", static_prefix)
    return weasyprint.HTML(string=html, base_url=request.url, url_fetcher=fetcher).write_pdf(
        font_config=font_configuration())
