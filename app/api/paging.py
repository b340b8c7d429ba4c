"""Paging headers of the API's lists: the next page's cursor, and a link to it."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from workflows.paging import Page

NEXT_CURSOR = "X-Next-Cursor"

# The paging headers as the document describes them (present only when more rows follow).
PAGE_HEADERS = {
    NEXT_CURSOR: {"description": "the next page's cursor, to pass as `after`", "schema": {"type": "string"}},
    "Link": {"description": 'the next page: `<url>; rel="next"`', "schema": {"type": "string"}},
}


def paged(page: Page[Any]) -> tuple[list[Any], int, dict[str, str]]:
    """The page's rows as the response body; `X-Next-Cursor` and `Link: <...>; rel="next"` when more follow.

    The link repeats the request's own query with `after` set to the cursor (and no offset).
    """
    if page.next is None:
        return page.rows, 200, {}
    args = {k: v for k, v in request.args.items() if k not in ("after", "offset")}
    link = url_for(request.endpoint, **(request.view_args or {}), **args, after=page.next, _external=True)
    return page.rows, 200, {NEXT_CURSOR: page.next, "Link": f'<{link}>; rel="next"'}
