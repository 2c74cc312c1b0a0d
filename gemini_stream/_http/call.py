"""``Call``: one API request, ready to be sent (and sent again when a retry is due)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import aiohttp

from .._config import RetryPolicy, Timeouts
from .._errors import APIConnectionError, ClientClosedError
from .._observe.probe import Probe
from .failures import READ_FAILURES, read_error, read_failure, redirect_refused, send_failure
from .retry import retrying
from .secrets import Headers
from .transport import Transport

if TYPE_CHECKING:
    from .._limits.limiter import Lease, Limiter

__all__ = ("AuthHook", "Call", "Reply")

AuthHook = Callable[[], Awaitable[Mapping[str, str]]]
"""Returns headers to add to each attempt (a fresh OAuth bearer token for Vertex AI)."""


class Reply(NamedTuple):
    """A successful response read whole: its headers, its body and its status."""

    headers: Mapping[str, str]
    body: bytes
    status: int = 200


_LARGE = 1 << 20  # aiohttp's TOO_LARGE_BYTES_BODY


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


@dataclass(slots=True)  # not frozen: frozen costs 1.3 µs to build against 0.3, per request
class Call:
    """One API request, ready to be sent (and sent again when a retry is due); treat it as
    immutable.

    Only to ``url``: a redirect is refused (``RedirectError``), never followed, so the
    credentials in ``headers`` (or from ``auth``) go nowhere else.
    """

    transport: Transport
    url: str
    label: str
    body: bytes | None
    headers: Headers
    timeouts: Timeouts
    retry: RetryPolicy
    max_event_bytes: int
    max_reply_bytes: int  # the body's size at which a streamed reply is cut
    limiter: Limiter | None = None
    method: str | None = None
    auth: AuthHook | None = None
    probe: Probe | None = None  # None unless hooks, logs or traces watch (see _observe)

    def __repr__(self) -> str:  # never the headers: they hold the key
        verb = self.method or ("GET" if self.body is None else "POST")
        return f"<Call {verb} {self.url.split('?')[0]}>"

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
            from .._limits.admission import admit  # loaded with the limiter: not for others

            lease, total = await self.transport.unless_closed(admit(self.limiter, self.body, total))
        try:
            headers = self.headers
            if self.auth is not None:
                # Asked on every attempt, so a retry after a long wait carries a fresh token.
                headers = headers.copy()
                headers.update(await self.auth())
            transport, timeouts = self.transport, self.timeouts
            session = await transport.session()
            timeout = _client_timeout(total, timeouts.connect, timeouts.first_chunk)
            body = self.body
            verb = self.method or ("GET" if body is None else "POST")
            if (probe := self.probe) is not None:
                probe.sending(self.label, verb, self.url, body)
            try:
                sending = session.request(
                    verb,
                    self.url,
                    # aiohttp warns (ResourceWarning) about bytes over 1 MiB, and writes a
                    # file-like body in pieces: an upload's chunks and big inline media.
                    data=io.BytesIO(body) if body is not None and len(body) > _LARGE else body,
                    headers=headers,
                    timeout=timeout,
                    proxy=transport.proxy_for(self.url),
                    allow_redirects=False,
                )
                # aclose() closes an owned session, which fails its requests at once; a
                # borrowed one stays open, so the wait for the headers is cut short instead.
                response = await (sending if transport.owned else transport.unless_closed(sending))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise send_failure(exc, self.url, timeouts) from exc
            if probe is not None:
                probe.responded(response.status, response.content)
            if 300 <= response.status < 400:
                raise redirect_refused(response, self.url)
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
        probe = self.probe
        try:
            reply = await self._fetch_retrying(probe)
        except BaseException as exc:
            if probe is not None:
                probe.failed(exc)
            raise
        if probe is not None:
            probe.fetched(reply.body)
        return reply

    async def _fetch_retrying(self, probe: Probe | None) -> Reply:
        transport = self.transport
        try:
            return await retrying(
                self.retry,
                self.timeouts.total,
                self._fetch_once,
                limiter=self.limiter,
                pause=transport.pause,
                probe=probe,
            )
        except APIConnectionError as exc:
            if transport.closed:  # aclose() broke the connection
                raise ClientClosedError(
                    "the client was closed with aclose() during this call"
                ) from exc
            raise

    async def _fetch_once(self, total: float | None) -> Reply:
        response, lease = await self.open(total)
        body = None
        try:
            if response.status >= 400:
                raise await read_error(response)
            try:
                body = await response.read()
                return Reply(response.headers, body, response.status)
            except READ_FAILURES as exc:
                raise read_failure(exc, self.timeouts, started=False) from exc
        finally:
            response.release()
            if lease is not None:
                from .._limits.admission import prompt_tokens

                lease.release(prompt_tokens(body))
