"""``HttpInfo``: the HTTP side of a reply or an error (status, response headers, URL), read-only
and with credentials masked."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import cast

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ("SERVICE_TIER_HEADER", "HttpInfo")

SERVICE_TIER_HEADER = "x-gemini-service-tier"
"""The response header in which Google names the service tier it applied."""

_MASK = "***"
# Response headers that may hold a credential (a proxy or gateway may echo request headers).
_SECRET_HEADERS = frozenset(
    {"x-goog-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"}
)
# Query parameters that carry credentials: an API key, an OAuth token, a signed URL's parts.
_SECRET_QUERY = frozenset(
    {
        "key", "access_token", "token", "upload_id", "signature", "sig",
        "x-goog-signature", "x-goog-credential", "x-amz-signature", "x-amz-credential",
    }
)  # fmt: skip


class HttpInfo:
    """The HTTP response a reply (or an error) came with: ``status``, ``headers`` and ``url``.

    Read-only. Header names are case-insensitive (``headers["X-Gemini-Service-Tier"]``), a
    header sent twice keeps both values (``headers.getall(name)``), and credentials are masked
    (``set-cookie``, ``authorization``, ``x-goog-api-key``; ``key=``, ``access_token=`` or a
    signature in the URL's query show ``***``).

    Example:
        >>> async with client.stream("gemini-2.5-flash", "Hi") as stream:
        ...     first = await anext(stream)
        ...     print(stream.http.status, stream.http.headers["content-type"])
    """

    __slots__ = ("_headers", "_masked", "_shown_url", "_status", "_url")

    def __init__(self, status: int, headers: Mapping[str, str], url: object) -> None:
        # Masked when first read: a stream keeps its response's own (immutable) headers.
        self._status = status
        self._headers = headers
        self._masked = False
        self._url = url
        self._shown_url: str | None = None

    @property
    def status(self) -> int:
        """The HTTP status code (``200`` for a reply, ``429``, ``503``... for an error)."""
        return self._status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The response headers, read-only, credentials masked."""
        if not self._masked:
            copy: CIMultiDict[str] = CIMultiDict(self._headers)
            for name in _SECRET_HEADERS.intersection(k.lower() for k in copy):
                copy[name] = _MASK  # one value stands for every value sent
            self._headers = CIMultiDictProxy(copy)
            self._masked = True
        return cast("CIMultiDictProxy[str]", self._headers)

    @property
    def url(self) -> str:
        """The URL requested, with credential-bearing query values shown as ``***``."""
        url = self._shown_url
        if url is None:
            url = self._shown_url = _masked_url(str(self._url))
        return url

    @property
    def service_tier(self) -> str | None:
        """The service tier Google says it applied (``x-gemini-service-tier``), if it said."""
        return self.headers.get(SERVICE_TIER_HEADER)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HttpInfo):
            return NotImplemented
        return (self.status, self.url, list(self.headers.items())) == (
            other.status,
            other.url,
            list(other.headers.items()),
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<HttpInfo {self.status} {self.url.split('?')[0]}>"


def _masked_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if not any(name.lower() in _SECRET_QUERY for name, _ in pairs):
        return url
    query = "&".join(
        f"{urllib.parse.quote(name)}="
        + (_MASK if name.lower() in _SECRET_QUERY else urllib.parse.quote(value))
        for name, value in pairs
    )
    return urllib.parse.urlunsplit(parts._replace(query=query))
