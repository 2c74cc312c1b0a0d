"""Writing one reply on the wire: SSE events, the JSON-array stream or one JSON body, with faults.

The three forms:

* ``sse``: ``data: {single-line JSON}\\r\\n\\r\\n`` per event, the body ends after the last.
* ``array`` (``streamGenerateContent`` without ``alt=sse``): ``[`` + pretty element, then
  ``\\n,\\r\\n`` + pretty element for each later one, then ``\\n]``, each written when ready
  (the live separator is unverified; this is the ``\\n,\\r\\n`` form seen in notes on it).
* ``single`` (``generateContent``): the chunks merged into one pretty-printed body.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from ._errors import status_error
from ._faults import Chunk, Fault
from ._model import merge_chunks
from ._records import RequestRecord
from ._wire import (
    COMMON_HEADERS,
    JSON_CONTENT_TYPE,
    SSE_HEADERS,
    dumps_line,
    dumps_pretty,
    server_timing,
    sse_event,
)

_MALFORMED = b'{"candidates": [{"content": {"parts": [{"text": "this event is cut sh'


class ReplyWriter:
    """Writes one reply for one request, applying a fault's timing and failures.

    Args:
        request: the aiohttp request being answered.
        record: the request's record (status, events written, disconnects).
        mode: ``"sse"``, ``"array"`` or ``"single"``.
        fault: the fault to apply, if any.
        first_delay: default seconds before the first event (a fault's value wins).
        delay: default seconds between events (a fault's value wins).
        burst: write an SSE reply's events in one write when nothing comes between them.
        tier: the service tier applied, sent in the ``x-gemini-service-tier`` header.
    """

    def __init__(
        self,
        request: web.Request,
        record: RequestRecord,
        *,
        mode: str,
        fault: Fault | None,
        first_delay: float,
        delay: float,
        burst: bool = False,
        tier: str | None = None,
    ) -> None:
        self.request = request
        self.record = record
        self.mode = mode
        self.fault = fault or Fault()
        self.first_delay = first_delay if self.fault.first_delay is None else self.fault.first_delay
        self.delay = delay if self.fault.delay is None else self.fault.delay
        self._started = time.monotonic()
        self._opened = False  # whether the array form's "[" went out
        self.burst = burst and mode == "sse" and self.delay == 0 and self.fault == Fault()
        self.tier = tier

    def headers(self, content_type: str | None = None) -> dict[str, str]:
        """Google's response headers for this reply."""
        kind = {"Content-Type": content_type} if content_type else SSE_HEADERS
        headers = {
            **kind,
            **COMMON_HEADERS,
            "Server-Timing": server_timing(time.monotonic() - self._started),
        }
        if self.tier is not None:
            headers["x-gemini-service-tier"] = self.tier
        return headers

    async def send(self, chunks: Sequence[Chunk], model: str) -> web.StreamResponse:
        """Write ``chunks`` in this writer's mode and return the response for aiohttp."""
        if self.burst:  # all events in one write, so a busy client's reads carry many of them
            return await self.send_burst(self.encode_burst(chunks), len(chunks))
        if self.mode == "single":
            return await self._single(chunks)
        sse = self.mode == "sse"
        response = web.StreamResponse(headers=self.headers(None if sse else JSON_CONTENT_TYPE))
        if self.fault.disconnect_after is not None:
            # Say "Connection: close" up front so no client pools a connection we will cut.
            response.force_close()
        try:
            self.record.status = 200
            await response.prepare(self.request)
            await _pause(self.first_delay)
            for i in range(len(chunks) + 1):
                if await self._inject(response, i, model, chunks):
                    return response
                if i == len(chunks):
                    break
                if i:
                    await _pause(self.delay)
                chunk = chunks[i]
                await self._event(response, self._encode(chunk), raw=isinstance(chunk, bytes))
            if not sse:
                await response.write(b"\n]" if self._opened else b"[]")
            await response.write_eof()
        except ConnectionError:
            self._client_gone()
        return response

    def encode_burst(self, chunks: Sequence[Chunk]) -> bytes:
        """The SSE events of ``chunks``, joined: a burst reply's body."""
        return b"".join(self._encode(chunk) for chunk in chunks)

    async def send_burst(self, body: bytes, events: int) -> web.StreamResponse:
        """Write a burst reply (SSE, no faults: see ``burst``) whose body ``encode_burst`` made."""
        response = web.StreamResponse(headers=self.headers())
        try:
            self.record.status = 200
            await response.prepare(self.request)
            await _pause(self.first_delay)
            await response.write(body)
            self.record.events_written += events
            await response.write_eof()
        except ConnectionError:
            self._client_gone()
        return response

    def _encode(self, chunk: Chunk) -> bytes:
        if isinstance(chunk, bytes):
            return chunk
        if self.mode == "sse":
            return sse_event(dumps_line(chunk))
        return dumps_pretty(chunk).rstrip(b"\n")

    def _element(self, data: bytes) -> bytes:
        """Prefix an array element with ``[`` (first) or the separator (later ones)."""
        prefix = b"\n,\r\n" if self._opened else b"["
        self._opened = True
        return prefix + data

    async def _event(self, response: web.StreamResponse, data: bytes, *, raw: bool = False) -> None:
        if self.mode == "array" and not raw:
            data = self._element(data)
        await response.write(data)
        self.record.events_written += 1

    async def _inject(
        self, response: web.StreamResponse, i: int, model: str, chunks: Sequence[Chunk]
    ) -> bool:
        """Apply the faults due after ``i`` events; return True when the reply must end."""
        fault = self.fault
        if fault.stall_after == i:
            await _pause(fault.stall)
        if fault.malformed_after == i:
            await self._event(response, self._frame(_MALFORMED))
        if fault.oversized_after == i:
            await self._event(response, self._oversized(chunks, fault.oversized_bytes))
        if fault.disconnect_after == i:
            self._cut()
            return True
        raw_error = fault.error_after == i
        if raw_error or fault.error_event_after == i:
            _, body, _ = status_error(fault.error_status, model)
            if self.mode == "array":
                error = self._element(dumps_pretty(body).rstrip(b"\n")) + b"\n]"
            else:
                error = dumps_pretty(body) if raw_error else sse_event(dumps_line(body))
            await response.write(error)
            self.record.events_written += 1
            await response.write_eof()
            return True
        return False

    def _frame(self, payload: bytes) -> bytes:
        return sse_event(payload) if self.mode == "sse" else payload

    def _oversized(self, chunks: Sequence[Chunk], size: int) -> bytes:
        head = next((c for c in chunks if isinstance(c, Mapping)), {})
        event: dict[str, Any] = {
            "candidates": [{"content": {"parts": [{"text": ""}], "role": "model"}, "index": 0}]
        }
        event |= {k: head[k] for k in ("modelVersion", "responseId") if k in head}
        base = len(self._encode(event))
        event["candidates"][0]["content"]["parts"][0]["text"] = "x" * max(0, size - base)
        return self._encode(event)

    async def _single(self, chunks: Sequence[Chunk]) -> web.StreamResponse:
        fault = self.fault
        await _pause(self.first_delay + (fault.stall if fault.stall_after is not None else 0.0))
        if all(isinstance(c, bytes) for c in chunks):
            body = b"".join(c for c in chunks if isinstance(c, bytes))
        else:
            body = dumps_pretty(merge_chunks(c for c in chunks if isinstance(c, Mapping)))
        response = web.Response(body=body, headers=self.headers(JSON_CONTENT_TYPE))
        if fault.disconnect_after is not None:
            self._cut()  # aiohttp then fails to send the response and drops it quietly
        else:
            self.record.status = 200
        return response

    def _cut(self) -> None:
        """Close the connection abruptly (after flushing what was already written)."""
        self.record.closed_by_server = True
        if self.request.transport is not None:
            self.request.transport.close()

    def _client_gone(self) -> None:
        if not self.record.closed_by_server and self.record.disconnected_at is None:
            self.record.disconnected_at = time.monotonic()


async def _pause(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
