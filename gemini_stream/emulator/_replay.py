"""Replay mode: answer each request with the recorded exchange it matches, byte for byte.

A request matches a cassette when method, path, query (without ``key``) and body are equal,
a JSON body by value. Cassettes that match the same request are served in recorded order; once
they are used up the last one answers again. A request matching none gets a 404 naming it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from . import _errors
from ._cassette import SECRET_QUERY, Cassette, load, request_key
from ._record import note_request
from ._records import RequestRecord
from ._server import _MAX_BODY, ServerState
from ._wire import JSON_CONTENT_TYPE, dumps_pretty

_log = logging.getLogger("gemini_stream.emulator.replay")


def check_speed(speed: float) -> float:
    """``replay_speed`` checked: a number >= 0; 0 and ``inf`` both mean no waiting."""
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not speed >= 0:
        raise ValueError(f"replay_speed must be a number >= 0 (0: no waits), got {speed!r}")
    return float(speed)


class Player:
    """The replay mode's handler: looks each request up among the cassettes of ``directory``.

    Args:
        directory: a folder of cassettes written by record mode.
        speed: 1 replays the recorded timing, 2 twice as fast, 0 (or ``inf``) without waiting.
    """

    def __init__(self, directory: str | os.PathLike[str], speed: float = 1.0) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"replay directory {str(directory)!r} does not exist")
        speed = check_speed(speed)
        self._scale = 0.0 if speed in (0.0, math.inf) else 1.0 / speed
        self.cassettes = load(self.directory)
        if not self.cassettes:
            raise ValueError(
                f"replay directory {str(directory)!r} holds no cassettes (NNNN-*.json files)"
            )
        self._by_key: dict[Any, list[Cassette]] = {}
        for cassette in self.cassettes:
            self._by_key.setdefault(cassette.key, []).append(cassette)
        self._served: dict[Any, int] = {}
        self.misses: list[str] = []

    def app(self, state: ServerState) -> web.Application:
        """An application that answers every path from the cassettes."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", state.tracked(self._handle))
        return app

    async def start(self) -> None:
        """Nothing to open: the cassettes were read when the player was made."""

    async def aclose(self) -> None:
        """Nothing to close."""

    def take(self, key: Any) -> Cassette | None:
        """The cassette to answer ``key`` with: the next unused one, else the last one."""
        found = self._by_key.get(key)
        if not found:
            return None
        served = self._served.get(key, 0)
        self._served[key] = served + 1
        return found[min(served, len(found) - 1)]

    async def _handle(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        body = await note_request(request, record)
        cassette = self.take(request_key(request.method, request.path, request.query, body))
        if cassette is None:
            return self._miss(request, record, body)
        await self._wait(cassette.headers_after)
        response = web.StreamResponse(status=cassette.status, headers=cassette.headers)
        if cassette.end == "disconnect":
            response.force_close()  # no client may pool a connection we are about to cut
        record.status = cassette.status
        await response.prepare(request)
        opened = time.monotonic()
        try:
            for chunk in cassette.chunks:
                await self._wait(opened + chunk.at * self._scale - time.monotonic(), scaled=True)
                await response.write(chunk.data)
                record.events_written += 1
            if cassette.end == "disconnect":
                record.closed_by_server = True
                if request.transport is not None:
                    request.transport.close()
            else:
                await response.write_eof()
        except ConnectionError:
            record.disconnected_at = time.monotonic()
        return response

    async def _wait(self, seconds: float, *, scaled: bool = False) -> None:
        delay = seconds if scaled else seconds * self._scale
        if delay > 0:
            await asyncio.sleep(delay)

    def _miss(self, request: web.Request, record: RequestRecord, body: bytes) -> web.Response:
        where = request.path + (f"?{_public_query_string(request)}" if request.query else "")
        same_path = [
            Path(c.name).name
            for c in self.cassettes
            if c.method == request.method.upper() and c.path == request.path
        ]
        message = (
            f"emulator replay: no cassette in {str(self.directory)!r} matches "
            f"{request.method} {where} with this body ({len(body)} bytes)"
        )
        if same_path:
            shown = ", ".join(same_path[:5]) + (", ..." if len(same_path) > 5 else "")
            message += f"; recorded for {request.method} {request.path} with another "
            message += f"query or body: {shown}"
        self.misses.append(message)
        _log.warning("%s", message)
        record.status = 404
        return web.Response(
            status=404,
            body=dumps_pretty(_errors.error_body(404, message)),
            headers={"Content-Type": JSON_CONTENT_TYPE},
        )


def _public_query_string(request: web.Request) -> str:
    return "&".join(f"{k}={'***' if k in SECRET_QUERY else v}" for k, v in request.query.items())
