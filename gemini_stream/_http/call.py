"""Owns or borrows the aiohttp session, sends one HTTP request, and translates its failures."""

from __future__ import annotations

import asyncio
import functools
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import aiohttp

from .._config import RetryPolicy, Timeouts
from .._errors import (
    APIConnectionError,
    APIError,
    ClientClosedError,
    ConnectTimeoutError,
    FirstChunkTimeoutError,
    GeminiError,
    IdleTimeoutError,
    StreamInterruptedError,
    TotalTimeoutError,
    api_error,
    excerpt,
)
from .._limits.admission import admit, prompt_tokens
from .._limits.limiter import Lease, Limiter
from .codec import decode_error
from .retry import parse_retry_after, retrying

# Error bodies are a few KB; a proxy's HTML page can be larger, and only its start is shown.
_MAX_ERROR_BODY = 64 * 1024

DEFAULT_MAX_CONNECTIONS = 1000

AuthHook = Callable[[], Awaitable[Mapping[str, str]]]
"""Returns headers to add to each attempt (a fresh OAuth bearer token for Vertex AI)."""


class Reply(NamedTuple):
    """A successful response read whole: its headers and its body."""

    headers: Mapping[str, str]
    body: bytes


class Transport:
    """The HTTP layer under a ``Client``: one aiohttp session, created lazily in the loop.

    A session the user passes in is used as it is and never closed. Otherwise the transport
    creates its own on first use, inside the running loop (so a client built at import time
    works), honours proxy settings from the environment, and recreates it when the client is
    used again under a new event loop after the old one was closed (``asyncio.run`` twice).
    """

    __slots__ = ("_closed", "_loop", "_max_connections", "_owned", "_proxies", "_session")

    def __init__(self, session: aiohttp.ClientSession | None, max_connections: int) -> None:
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError(f"session must be an aiohttp.ClientSession, got {session!r}")
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise TypeError(f"max_connections must be an int, got {max_connections!r}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections!r}")
        self._session = session
        self._owned = session is None
        self._max_connections = max_connections
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._proxies: dict[str, str | None] = {}

    @property
    def closed(self) -> bool:
        return self._closed

    async def session(self) -> aiohttp.ClientSession:
        """Return the session to send with, creating (or re-creating) an owned one."""
        if self._closed:
            raise ClientClosedError("this client was closed with aclose(); create a new Client")
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and not self._owned:
            return session
        if session is not None and self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                raise RuntimeError(
                    "this Client is in use by another running event loop; create one Client "
                    "per event loop"
                )
            # The loop the old session lived in is gone, and with it every connection;
            # closing here only marks it closed so it does not warn when collected.
            await session.close()
            session = None
        if session is None:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                timeout=aiohttp.ClientTimeout(total=None),
                # Proxies come from proxy_for: aiohttp's trust_env re-reads the environment
                # and ~/.netrc in worker threads on every request (~0.5 ms of CPU each).
                trust_env=False,
                auto_decompress=True,
            )
            self._session, self._loop = session, loop
        return session

    def proxy_for(self, url: str) -> str | None:
        """The proxy for ``url`` per ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY``, read once
        per URL (a borrowed session keeps its own settings)."""
        try:
            return self._proxies[url]
        except KeyError:
            pass
        proxy = None
        if self._owned:
            parts = urllib.parse.urlsplit(url)
            proxies = urllib.request.getproxies_environment()
            proxy = proxies.get(parts.scheme) or None
            if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
                proxy = None
        self._proxies[url] = proxy
        return proxy

    async def aclose(self) -> None:
        """Close the owned session (a borrowed one stays open); safe to call twice."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owned and not session.closed:
            await session.close()


def _client_timeout(
    total: float | None, connect: float | None, first_chunk: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for one attempt: until the reply's headers, ``first_chunk`` is the
    socket read timeout (``ChunkStream`` switches it to ``idle`` at the first body bytes)."""
    return aiohttp.ClientTimeout(
        total=total,
        connect=None,  # waiting for a free pooled connection is not a connect failure
        sock_connect=connect,
        sock_read=first_chunk,
    )


# A ClientTimeout (immutable, attrs) costs a few microseconds to build: without a time budget,
# which is the usual case, requests share one per pair of limits.
_shared_client_timeout = functools.lru_cache(maxsize=64)(_client_timeout)


def send_failure(exc: BaseException, url: str, timeouts: Timeouts) -> GeminiError:
    """Translate an aiohttp failure before a reply's headers arrived into a ``GeminiError``."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimeoutError(
            f"connecting took longer than Timeouts.connect={timeouts.connect}s"
        )
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return FirstChunkTimeoutError(
            f"no reply within Timeouts.first_chunk={timeouts.first_chunk}s"
        )
    if isinstance(exc, asyncio.TimeoutError):
        return TotalTimeoutError("the call took longer than Timeouts.total")
    return APIConnectionError(f"request to {url.split('?')[0]} failed: {exc}")


@dataclass(slots=True)  # not frozen: a frozen dataclass costs ~2 µs to build, per request
class Call:
    """One API request, ready to be sent (and sent again when a retry is due); treat it as
    immutable."""

    transport: Transport
    url: str
    label: str
    body: bytes | None
    headers: dict[str, str]
    timeouts: Timeouts
    retry: RetryPolicy
    max_event_bytes: int
    limiter: Limiter | None = None
    method: str | None = None
    auth: AuthHook | None = None

    async def open(self, total: float | None) -> tuple[aiohttp.ClientResponse, Lease | None]:
        """Wait for the rate limiter, if any (the wait counts against ``total``), then send
        once; return the response as soon as its headers arrived.

        The caller releases the lease when the reply ends, with its real token count. (The
        request is sent here, not in a coroutine of the transport: with a thousand requests
        waiting for their headers, every frame of the chain is a thousand objects for the
        garbage collector to go through.)
        """
        lease = None
        if self.limiter is not None:
            lease, total = await admit(self.limiter, self.body, total)
        try:
            headers = self.headers
            if self.auth is not None:
                # Asked on every attempt, so a retry after a long wait carries a fresh token.
                headers = {**headers, **await self.auth()}
            transport, timeouts = self.transport, self.timeouts
            session = await transport.session()
            make = _shared_client_timeout if total is None else _client_timeout
            timeout = make(total, timeouts.connect, timeouts.first_chunk)
            verb = self.method or ("GET" if self.body is None else "POST")
            try:
                response = await session.request(
                    verb,
                    self.url,
                    data=self.body,
                    headers=headers,
                    timeout=timeout,
                    proxy=transport.proxy_for(self.url),
                )
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise send_failure(exc, self.url, timeouts) from exc
        except BaseException:
            if lease is not None:
                lease.release()
            raise
        if lease is not None:
            lease.sent()
        return response, lease

    async def fetch(self) -> bytes:
        """Send with retries and return the whole body of a successful response."""
        return (await self.fetch_reply()).body

    async def fetch_reply(self) -> Reply:
        """Like ``fetch``, keeping the response headers (the Files API's upload URL)."""
        return await retrying(
            self.retry, self.timeouts.total, self._fetch_once, limiter=self.limiter
        )

    async def _fetch_once(self, total: float | None) -> Reply:
        response, lease = await self.open(total)
        body = None
        try:
            if response.status >= 400:
                raise await read_error(response)
            try:
                body = await response.read()
                return Reply(response.headers, body)
            except READ_FAILURES as exc:
                raise read_failure(exc, self.timeouts, started=False) from exc
        finally:
            response.release()
            if lease is not None:
                lease.release(prompt_tokens(body))


READ_FAILURES = (aiohttp.ClientError, asyncio.TimeoutError)


def read_failure(exc: BaseException, timeouts: Timeouts, *, started: bool) -> GeminiError:
    """Translate an aiohttp failure while reading a reply body (one of ``READ_FAILURES``).

    ``started`` says whether body bytes had arrived: a socket timeout before them is the
    first-chunk timeout, after them the idle one.
    """
    if isinstance(exc, aiohttp.SocketTimeoutError):
        if started:
            return IdleTimeoutError(
                f"the reply went silent for longer than Timeouts.idle={timeouts.idle}s"
            )
        return FirstChunkTimeoutError(
            f"no reply within Timeouts.first_chunk={timeouts.first_chunk}s"
        )
    if isinstance(exc, asyncio.TimeoutError):
        return TotalTimeoutError(f"the call took longer than Timeouts.total={timeouts.total}s")
    return StreamInterruptedError(f"the connection dropped in the middle of the reply: {exc}")


async def read_error(response: aiohttp.ClientResponse) -> APIError:
    """Read an HTTP error response (status >= 400) and turn it into the matching ``APIError``."""
    try:
        body = await response.content.read(_MAX_ERROR_BODY)
    except (aiohttp.ClientError, asyncio.TimeoutError):
        body = b""
    finally:
        response.close()
    error = error_from_body(
        body,
        code=response.status,
        reason=response.reason or "",
        retry_after=response.headers.get("Retry-After"),
    )
    assert error is not None  # with an HTTP code there is always an error to report
    return error


def error_from_body(
    body: bytes, *, code: int | None = None, reason: str = "", retry_after: str | None = None
) -> APIError | None:
    """Map Google's ``{"error": {...}}`` body to an ``APIError``.

    With ``code`` (an HTTP error status) a body that is not Google's JSON still gives an
    error carrying an excerpt; without it (an error inside a 200 stream) such a body gives
    ``None``.
    """
    status = decode_error(body)
    if status is None:
        if code is None:
            return None
        return api_error(
            code,
            "",
            excerpt(body) if body.strip() else reason,
            (),
            body,
            parse_retry_after(retry_after),
        )
    delay = status.retry_delay
    if delay is None:
        delay = parse_retry_after(retry_after)
    return api_error(
        status.code or code or 500,
        status.status or "",
        status.message or "",
        status.typed_details,
        body,
        delay,
    )
