"""One page of a list endpoint keyed by id (files, caches, batches): ``pageSize`` and
``pageToken`` read as the API reads them; the token is the next item's id, base64url."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from ._errors import ErrorReply, bad_request, invalid_argument

__all__ = ("page_of",)


def page_of(
    request: web.Request,
    ids: Sequence[str],
    key: str,
    resource: Callable[[str], dict[str, Any]],
    *,
    default_size: int,
    max_size: int,
) -> ErrorReply:
    """The reply listing ``ids`` (in order) from ``pageToken`` on, at most ``pageSize`` of
    them under ``key``, with ``nextPageToken`` when more remain."""
    raw = request.query.get("pageSize", "0")
    if not raw.lstrip("-").isdigit():
        text = f"Invalid value at 'page_size' (TYPE_INT32), \"{raw}\""
        return bad_request([("page_size", text)])
    size = int(raw)
    size = default_size if size <= 0 else min(size, max_size)
    token = request.query.get("pageToken", "")
    start = 0
    if token:
        try:
            start = list(ids).index(base64.urlsafe_b64decode(token).decode())
        except ValueError:
            return invalid_argument("Invalid page token.")
    page: dict[str, Any] = {}
    chosen = ids[start : start + size]
    if chosen:
        page[key] = [resource(i) for i in chosen]
    if start + size < len(ids):
        page["nextPageToken"] = base64.urlsafe_b64encode(ids[start + size].encode()).decode()
    return 200, page, {}
