"""``Transport``: owns or borrows the aiohttp session a client sends with."""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request
from collections.abc import AsyncGenerator, Awaitable, Coroutine
from typing import TypeVar

import aiohttp

from .._errors import ClientClosedError, client_closed
from .retry import sleep

__all__ = ("DEFAULT_MAX_CONNECTIONS", "Transport")

T = TypeVar("T")

DEFAULT_MAX_CONNECTIONS = 1000


class Transport:
    """The HTTP layer under a ``Client``: one aiohttp session, created lazily in the loop.

    A session the user passes in is used as it is and never closed. Otherwise the transport
    creates its own on first use, inside the running loop (so a client built at import time
    works), and honours proxy settings from the environment. An owned session belongs to its
    loop: it is closed in that loop when the loop shuts down (``asyncio.run`` ends), so no
    socket outlives it, and the client makes a new one when used under a new loop.
    """

    __slots__ = (
        "_closed", "_guard", "_loop", "_max_connections", "_owned", "_proxies", "_session",
        "_waiters", "responses",
    )  # fmt: skip

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
        self._guard: AsyncGenerator[None, None] | None = None
        self._closed = False
        self._proxies: dict[str, str | None] = {}
        self.responses: set[aiohttp.ClientResponse] = set()
        """The responses of the replies being read: a stream adds its response when the
        headers come and removes it when the reply ends, so ``aclose()`` can wake it."""
        self._waiters: set[asyncio.Future[None]] = set()  # see unless_closed

    def __repr__(self) -> str:
        owner = "own" if self._owned else "borrowed"
        return f"<Transport {owner} session, {'closed' if self._closed else 'open'}>"

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def owned(self) -> bool:
        """Whether the session is the transport's own (closing it breaks its connections)."""
        return self._owned

    async def unless_closed(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` in a task of its own, which ``aclose()`` cancels at once.

        For the waits no closed connection wakes: the rate limiter, a retry's backoff, and
        a borrowed session's request waiting for its headers (an owned session's requests
        fail as soon as ``aclose()`` closes it). A result that came first is returned even
        if the client was closed meanwhile (a lease taken is then released by its caller).

        Raises:
            ClientClosedError: the client was closed before or during the wait.
        """
        if self._closed:
            if isinstance(awaitable, Coroutine):
                awaitable.close()  # never started: no "never awaited" warning
            raise client_closed()
        task = asyncio.ensure_future(awaitable)
        closing = asyncio.get_running_loop().create_future()
        self._waiters.add(closing)
        try:
            await asyncio.wait((task, closing), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiters.discard(closing)
            if not task.done():  # closed, or this task was cancelled: the wait is over
                task.cancel()
                await asyncio.wait((task,))  # its clean-up (a limiter's slot) runs first
        if not task.cancelled():
            return task.result()
        raise ClientClosedError(
            "the client was closed with aclose() while this call was waiting (for the rate "
            "limiter, a retry or the reply's headers)"
        )

    async def session(self) -> aiohttp.ClientSession:
        """Return the session to send with, creating (or re-creating) an owned one."""
        if self._closed:
            raise client_closed()
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and (not self._owned or self._loop is loop):
            return session
        if self._loop is not None and not self._loop.is_closed():
            raise RuntimeError(
                "this Client is in use by another running event loop; create one Client "
                "per event loop"
            )
        # No await until the new session is in place: tasks of the new loop that all
        # come here at once share it.
        old, self.responses = self._guard, set()
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_connections),
            timeout=aiohttp.ClientTimeout(total=None),
            # Proxies come from proxy_for: aiohttp's trust_env re-reads the environment
            # and ~/.netrc in worker threads on every request (~0.5 ms of CPU each).
            trust_env=False,
            auto_decompress=True,
        )
        guard = _closed_with_the_loop(session)
        self._session, self._loop, self._guard = session, loop, guard
        await guard.__anext__()  # started in this loop, so the loop's shutdown closes it
        if old is not None:
            # The old loop was closed by hand, without shutdown_asyncgens(): its sockets
            # went with it; this only marks the old session closed, so it does not warn.
            await old.aclose()
        return session

    async def pause(self, seconds: float) -> None:
        """Wait between attempts (see ``retry.sleep``); ``aclose()`` ends the wait at once
        with ``ClientClosedError``."""
        await self.unless_closed(sleep(seconds))

    def close_replies(self) -> None:
        """Close the response of every reply being read: their readers wake at once."""
        responses, self.responses = self.responses, set()
        for response in responses:
            response.close()

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
        """Wake every reader (see ``close_replies``), then close the owned session (a
        borrowed one stays open); safe to call twice."""
        self._closed = True
        self.close_replies()
        waiters, self._waiters = self._waiters, set()
        for closing in waiters:
            if not closing.done():
                closing.set_result(None)
        session, self._session = self._session, None
        guard, self._guard = self._guard, None
        if guard is not None:
            await guard.aclose()  # closes the owned session
        elif session is not None and self._owned and not session.closed:
            await session.close()


async def _closed_with_the_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """Waits at its ``yield`` for the life of ``session``; closing it closes the session.

    An event loop closes the async generators still open when it shuts down (``asyncio.run``
    and ``asyncio.Runner`` call ``loop.shutdown_asyncgens()``, as do uvloop's and anyio's
    runners), while the loop still runs: a client left open closes its connections then,
    rather than leaving sockets that only the garbage collector closes (with warnings).
    """
    try:
        yield
    finally:
        await session.close()
