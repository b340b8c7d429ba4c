"""Where a page may send the browser back to: a path of this site, never another host.

Forms and links carry the page to return to (`next=`). Browsers drop tab, CR and LF anywhere in a
URL and read `\\` as `/`, so `/\\t/evil.example` and `/\\evil.example` arrive at `//evil.example`,
another host. Every redirect to a target that came with the request goes through `safe_next`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_TARGET = 2000  # characters; a longer "page to return to" is not one of ours


def is_same_site_path(target: str) -> bool:
    """One leading `/`, not `//` or `/\\`; no whitespace, control character or backslash anywhere; no host."""
    if not target.startswith("/") or target[1:2] in ("/", "\\") or len(target) > MAX_TARGET:
        return False
    if any(char.isspace() or not char.isprintable() or char == "\\" for char in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def safe_next(target: str | None, fallback: str) -> str:
    """The target when it is a path of this site, else the fallback."""
    return target if target and is_same_site_path(target) else fallback
