"""Writing one Interactions event stream on the wire, following a run, with faults applied.

The stream is the run's log from a position on (``StoredInteraction.follow``), then the
``event: done`` / ``data: [DONE]`` terminator. Connection-level faults act here: a cut
(``disconnect_after``), a clean early end without the terminator (``close_after``, the
server's stream limit, ``no_done``), a stall, a pace, and on a resumed stream an ``error``
event that fails only this connection (a create's ``error_event_after`` fails the run
itself, in ``_ix_store``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiohttp import web

from ._faults import Fault
from ._ix_events import DONE_FRAME, error_code, frame
from ._ix_store import StoredInteraction
from ._records import RequestRecord
from ._wire import COMMON_HEADERS, SSE_HEADERS

__all__ = ("cut", "pause", "status_message", "write_events")

_MESSAGES = {
    429: "Resource has been exhausted (e.g. check quota).",
    503: "The service is currently unavailable.",
    504: "Deadline expired before operation could complete.",
}


def status_message(status: int) -> str:
    """The message of an Interactions error for ``status`` (``504``: Google's deadline text)."""
    return _MESSAGES.get(status, "Internal error encountered.")


async def pause(seconds: float) -> None:
    """Sleep ``seconds`` when positive."""
    if seconds > 0:
        await asyncio.sleep(seconds)


def cut(request: web.Request, record: RequestRecord) -> web.Response:
    """Close the connection abruptly (what was written stays written)."""
    record.closed_by_server = True
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=200)


async def write_events(
    request: web.Request,
    record: RequestRecord,
    ix: StoredInteraction,
    start: int,
    fault: Fault,
    *,
    first_delay: float,
    close_at: int | None,
    error_at: int | None,
    burst: bool = False,
) -> web.StreamResponse:
    """Write ``ix``'s events from log index ``start`` as SSE, following the run to its end.

    Args:
        first_delay: seconds before the first event (a fault's ``first_delay`` wins).
        close_at: end the body cleanly after this many events, without the terminator.
        error_at: after this many events send an ``error`` event and the terminator.
        burst: write the events already logged in one write (ignored with a fault or limit).
    """
    if burst and fault == Fault() and close_at is None:
        return await _write_burst(request, record, ix, start, first_delay)
    response = web.StreamResponse(headers={**SSE_HEADERS, **COMMON_HEADERS})
    if fault.disconnect_after is not None:
        response.force_close()  # no client should pool a connection we will cut
    try:
        record.status = 200
        await response.prepare(request)
        await pause(first_delay if fault.first_delay is None else fault.first_delay)
        written = 0
        async with contextlib.aclosing(ix.follow(start)) as frames:
            async for chunk in frames:
                if await _due(request, response, record, fault, written, close_at, error_at):
                    return response
                if written and fault.delay is not None:
                    await pause(fault.delay)
                await response.write(chunk)
                written += 1
                record.events_written += 1
        if await _due(request, response, record, fault, written, close_at, error_at):
            return response
        if not fault.no_done:
            await response.write(DONE_FRAME)
        await response.write_eof()
    except ConnectionError:
        if not record.closed_by_server and record.disconnected_at is None:
            record.disconnected_at = time.monotonic()
    return response


async def _write_burst(
    request: web.Request, record: RequestRecord, ix: StoredInteraction, start: int, delay: float
) -> web.StreamResponse:
    response = web.StreamResponse(headers={**SSE_HEADERS, **COMMON_HEADERS})
    try:
        record.status = 200
        await response.prepare(request)
        await pause(delay)
        async with contextlib.aclosing(ix.follow(start, batch=True)) as batches:
            async for chunk in batches:
                await response.write(chunk)
        record.events_written += len(ix.log) - start
        await response.write(DONE_FRAME)
        await response.write_eof()
    except ConnectionError:
        if record.disconnected_at is None:
            record.disconnected_at = time.monotonic()
    return response


async def _due(
    request: web.Request,
    response: web.StreamResponse,
    record: RequestRecord,
    fault: Fault,
    written: int,
    close_at: int | None,
    error_at: int | None,
) -> bool:
    """Apply the faults due after ``written`` events; True when the stream must end."""
    if fault.stall_after == written:
        await pause(fault.stall)
    if fault.disconnect_after == written:
        cut(request, record)
        return True
    if close_at == written:
        await response.write_eof()
        return True
    if error_at == written:
        status = fault.error_status
        error = {"message": status_message(status), "code": error_code(status)}
        await response.write(frame("error", {"error": error}, None) + DONE_FRAME)
        record.events_written += 1
        await response.write_eof()
        return True
    return False
