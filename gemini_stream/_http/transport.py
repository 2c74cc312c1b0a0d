"""``Transport``: owns or borrows the aiohttp session a client sends with."""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request

import aiohttp

from .._errors import ClientClosedError

__all__ = ("DEFAULT_MAX_CONNECTIONS", "Transport")

DEFAULT_MAX_CONNECTIONS = 1000


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

    def __repr__(self) -> str:
        owner = "own" if self._owned else "borrowed"
        return f"<Transport {owner} session, {'closed' if self._closed else 'open'}>"

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
