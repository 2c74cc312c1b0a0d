"""Record mode: pass every request through to an upstream API and save each exchange as a cassette.

The caller's credentials (``x-goog-api-key``, ``?key=``, ``Authorization``) go to the upstream
with the request and nowhere else: the cassette keeps the key's fingerprint at most.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from yarl import URL

from . import _errors
from ._cassette import HOP_BY_HOP, Cassette, Chunk, public_headers, public_query, save, sequence
from ._records import RequestRecord
from ._server import _MAX_BODY, ServerState

# Request headers the proxy sets itself rather than passing on.
_NOT_FORWARDED = HOP_BY_HOP | {"host", "accept-encoding", "expect"}


def upstream_url(upstream: str) -> URL:
    """Check ``upstream`` (an ``http(s)://host[:port][/prefix]`` URL) and return it parsed."""
    if not isinstance(upstream, str):
        raise TypeError(f"upstream must be a URL string, got {upstream!r}")
    url = URL(upstream)
    if url.scheme not in ("http", "https") or not url.host or url.query_string or url.fragment:
        raise ValueError(
            f"upstream must be an http:// or https:// URL without query, got {upstream!r}"
        )
    return url


class Recorder:
    """The record mode's handler: forwards each request and saves what came back.

    Args:
        directory: where cassettes go (created when the emulator starts); numbering goes on
            after any cassette already there.
        upstream: the API root to forward to, such as
            ``https://generativelanguage.googleapis.com``.
    """

    def __init__(self, directory: str | os.PathLike[str], upstream: str) -> None:
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise NotADirectoryError(f"record directory {str(directory)!r} is not a directory")
        self.upstream = upstream_url(upstream)
        self._base = str(self.upstream).rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._seq = 0

    def app(self, state: ServerState) -> web.Application:
        """An application that forwards every path."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", state.tracked(self._handle))
        return app

    async def start(self) -> None:
        """Create the directory and the upstream session."""
        self.directory.mkdir(parents=True, exist_ok=True)
        numbers = (sequence(p.name) for p in self.directory.iterdir())
        self._seq = max((n for n in numbers if n is not None), default=0)
        # No total timeout (streams run long) and no connection cap of our own: the client's
        # timeouts and limits are the ones that count.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
            connector=aiohttp.TCPConnector(limit=0),
        )

    async def aclose(self) -> None:
        """Close the upstream session; safe to call twice."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _handle(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        session = self._session
        if session is None:
            raise RuntimeError("the recorder is not running: start the emulator first")
        body = await note_request(request, record)
        self._seq += 1
        seq = self._seq  # numbered on arrival, so the files keep the order requests came in
        cassette = Cassette(
            request.method, request.path, public_query(request.query), body, api_key=record.api_key
        )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        headers["Accept-Encoding"] = "identity"  # the bytes as sent, not a compressed form
        started = time.monotonic()
        try:
            upstream = await session.request(
                request.method,
                URL(self._base + request.raw_path, encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
            )
        except (aiohttp.ClientError, OSError) as exc:
            return _bad_gateway(record, f"cannot reach the upstream {self._base}: {exc!r}")
        async with upstream:
            cassette.status = record.status = upstream.status
            cassette.headers = public_headers(upstream.headers)
            opened = time.monotonic()
            cassette.headers_after = opened - started
            response = web.StreamResponse(
                status=upstream.status, reason=upstream.reason, headers=cassette.headers
            )
            try:
                await response.prepare(request)
                await _relay(upstream, response, cassette, record, opened)
            except ConnectionError:
                # Our client left mid-body: what the upstream would still have sent is
                # unknown, so there is no faithful cassette to write.
                record.disconnected_at = time.monotonic()
                return response
        save(self.directory, seq, cassette)
        if cassette.end == "disconnect":
            record.closed_by_server = True
            if request.transport is not None:
                request.transport.close()
        else:
            with contextlib.suppress(ConnectionError):
                await response.write_eof()
        return response


async def _relay(
    upstream: aiohttp.ClientResponse,
    response: web.StreamResponse,
    cassette: Cassette,
    record: RequestRecord,
    opened: float,
) -> None:
    """Pass the body on as it arrives, noting each piece and its time in the cassette.

    Raises:
        ConnectionError: our client went away.
    """
    while True:
        try:
            data = await upstream.content.readany()
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            cassette.end = "disconnect"  # the upstream cut the body short
            return
        if not data:
            return
        cassette.chunks.append(Chunk(time.monotonic() - opened, data))
        await response.write(data)
        record.events_written += 1


async def note_request(request: web.Request, record: RequestRecord) -> bytes:
    """Read the body and note it, and the key's fingerprint, on the request's record."""
    body = await request.read()
    key = request.headers.get("x-goog-api-key") or request.query.get("key")
    record.api_key = RequestRecord.fingerprint(key) if key else None
    record.raw_body = body
    try:
        record.body = json.loads(body) if body else None
    except ValueError:
        record.body = None
    return body


def _bad_gateway(record: RequestRecord, message: str) -> web.Response:
    record.status = 502
    body = _errors.error_body(502, message)
    return web.json_response(body, status=502)
