"""``EventStreamReader``: the machinery under ``InteractionStream``. It sends the request
(retrying a failure before the stream starts), reads the body as the socket delivers it,
decodes each read's events, drops what a resumed stream repeats, reconnects after the last
``event_id`` when the connection breaks, and releases the response exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import msgspec

from .._errors import (
    APIConnectionError,
    ConcurrentReadError,
    GeminiError,
    IdleTimeoutError,
    InteractionFailedError,
    StreamInterruptedError,
    TotalTimeoutError,
    client_closed,
    reply_too_large,
)
from .._http.failures import (
    READ_FAILURES,
    error_from_body,
    interactions_error,
    read_error,
    read_failure,
)
from .._http.retry import backoff_delay, retrying
from .events import (
    InteractionCompletedEvent,
    InteractionCreatedEvent,
    InteractionErrorEvent,
    InteractionEvent,
)
from .fold import Fold
from .frames import EventReader
from .interaction import Interaction

if TYPE_CHECKING:
    from .._http.call import Call
    from .._limits.limiter import Lease

__all__ = ("EventStreamReader", "ResumeCall")

ResumeCall = Callable[[str, "str | None"], "Call"]
"""Makes the ``GET .../interactions/{id}?stream=true&last_event_id=...`` call."""

_NEW, _OPEN, _DONE = 0, 1, 2
_SPECIAL = frozenset({InteractionCreatedEvent, InteractionCompletedEvent, InteractionErrorEvent})
# Failures a resumed stream can repair: the connection dropped, the reply went silent, or the
# body ended before the interaction did.
_RESUMABLE = (StreamInterruptedError, IdleTimeoutError)


class EventStreamReader:
    """One Interactions stream's state and how it advances; ``InteractionStream`` is its
    public face."""

    __slots__ = (
        "__weakref__", "_busy", "_call", "_content", "_created", "_deadline", "_deferred",
        "_fold", "_fresh", "_last_event_id", "_lease", "_loop", "_parse_type", "_pending",
        "_progress", "_reader", "_response", "_resume", "_resumes", "_seen", "_state",
    )  # fmt: skip

    def __init__(
        self,
        call: Call,
        resume: ResumeCall,
        *,
        interaction_id: str | None = None,
        last_event_id: str | None = None,
        parse_type: Any = None,
    ) -> None:
        self._call = call
        self._parse_type = parse_type  # what response_format asked the JSON to be
        self._resume = resume
        self._state = _NEW
        self._fold = Fold(Interaction(id=interaction_id) if interaction_id else None)
        self._last_event_id = last_event_id
        self._seen: set[str] | None = None  # made at the first reconnection
        self._pending: list[InteractionEvent] = []  # decoded, not handed out; last first
        self._deferred: GeminiError | None = None
        self._response: aiohttp.ClientResponse | None = None
        self._content: aiohttp.StreamReader | None = None
        self._reader = EventReader()  # a new one with each connection
        self._fresh = False  # no body bytes yet on this connection
        self._created = False  # interaction.created was handed out
        self._lease: Lease | None = None
        self._resumes = 0  # reconnections in a row that brought no new event
        self._progress = 0  # the events received when the connection last broke
        self._busy = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deadline: float | None = None

    def _last_id(self) -> str | None:
        for event_id in reversed(self._fold.event_ids):
            if event_id is not None:
                return event_id
        return self._last_event_id  # given to resume()

    # -- reading -----------------------------------------------------------------------------------

    async def _next_slow(self) -> InteractionEvent:
        if self._deferred is None and self._state != _DONE:
            if self._busy:
                raise ConcurrentReadError(
                    "another task is reading this stream and waits for its data; read a "
                    "stream from one task at a time"
                )
            self._busy = True
            try:
                await self._fill()
            except GeminiError as exc:
                failure = self._fail(exc)
                if failure is not exc:
                    raise failure from exc
                raise
            except BaseException as exc:
                if isinstance(exc, Exception):  # not ours: a bug, reported as it is
                    self._report("error", exc)
                else:
                    self._report("cancelled", None)
                self._finish(close=True)
                raise
            finally:
                self._busy = False
            if self._pending:
                return self._pending.pop()
        error, self._deferred = self._deferred, None
        if error is None:
            raise StopAsyncIteration
        raise error

    async def _fill(self) -> None:
        """Read until at least one new event is decoded or the stream ends, reconnecting
        when the connection breaks before the interaction's end."""
        while not self._pending and self._state != _DONE:
            content = self._content
            if content is None:
                await self._connect()
                continue
            try:
                data = await content.readany()
            except READ_FAILURES as exc:
                if self._state == _DONE:
                    return  # aclose() from another task: a clean end
                failure = read_failure(exc, self._call.timeouts, started=not self._fresh)
                failure.__cause__ = exc
                await self._broken(failure)
                continue
            if self._state == _DONE:
                return
            if not data:
                await self._broken(self._truncated())
                continue
            if self._fresh:
                self._first_bytes()
            self._on_data(data)
            if content.total_bytes > self._call.max_reply_bytes and self._state != _DONE:
                # aiohttp counts the bytes anyway
                self._defer_or_raise(reply_too_large(self._call.max_reply_bytes))

    def _on_data(self, data: bytes) -> None:
        event = self._reader.one(data)
        if event is not None and type(event) not in _SPECIAL and self._seen is None:
            # the usual read: one event, not repeated, that neither starts nor ends anything
            self._fold.apply(event)
            self._pending = [event]
            return
        if event is None:
            self._on_events(*self._reader.feed_rest(data))
        else:
            self._on_events([event], None)

    def _on_events(self, events: list[InteractionEvent], error: GeminiError | None) -> None:
        fold = self._fold
        if self._seen is None and _SPECIAL.isdisjoint(map(type, events)):
            fold.extend(events)
        else:
            events, ended = self._sift(events)
            fold.extend(events)
            if ended is not None:
                if type(ended) is InteractionErrorEvent:
                    fold.apply(ended)  # folded, not handed out (interaction.completed is both)
                error = self._ended(ended)
        events.reverse()
        self._pending = events  # empty before: _fill reads only when all were handed out
        if self._reader.done and self._state != _DONE:
            self._finish(close=False)
        if error is not None:
            self._defer_or_raise(error)
        elif self._state == _DONE:
            self._report("ok", None)

    def _sift(
        self, events: list[InteractionEvent]
    ) -> tuple[list[InteractionEvent], InteractionEvent | None]:
        """The events to hand out (repeats dropped), and the one that ended the interaction
        (``interaction.completed``, handed out too, or ``error``), if any."""
        seen = self._seen
        kept: list[InteractionEvent] = []
        for event in events:
            event_id = event.event_id
            if seen is not None and event_id is not None:
                if event_id in seen:
                    continue  # a resumed stream repeated it
                seen.add(event_id)
            kind = type(event)
            if kind is InteractionCreatedEvent:
                if self._created:
                    continue  # re-sent by a resumed stream: nothing new
                self._created = True
            elif kind is InteractionErrorEvent:
                return kept, event
            kept.append(event)
            if kind is InteractionCompletedEvent:
                return kept, event
        return kept, None

    def _ended(self, event: InteractionEvent) -> GeminiError | None:
        """The interaction's last event came: end the stream; the error it stands for."""
        self._finish(close=not self._reader.done)
        if isinstance(event, InteractionErrorEvent):
            info = event.error
            body = msgspec.json.encode({"error": info})
            return interactions_error(str(info.code or ""), info.message or "", body)
        status = self._fold.status
        if status == "failed":
            errors = self._fold.interaction.errors or []
            said = "; ".join(f"{e.code}: {e.message}" for e in errors)
            return InteractionFailedError(
                f"interaction {self._fold.id} failed" + (f": {said}" if said else "")
            )
        return None

    def _truncated(self) -> GeminiError:
        """The error of a body that ended before the interaction did: an error the server
        wrote as bare JSON (after the 200, not as an event), or a truncation to resume."""
        leftover = self._reader.flush()
        if leftover.strip():
            error = error_from_body(leftover)
            if error is not None:
                return error
        said = f" (it ended with {leftover[:200]!r})" if leftover.strip() else ""
        return StreamInterruptedError(
            f"the stream ended before the interaction did, without [DONE]{said}"
        )

    def _defer_or_raise(self, error: GeminiError) -> None:
        """Hand out the events already decoded first, then raise ``error``."""
        self._finish(close=True)
        error.partial = cast(Any, self._fold.interaction)
        if self._pending:
            self._deferred = error
            self._report("error", error)
        else:
            raise error

    # -- connecting and resuming -------------------------------------------------------------------

    async def _connect(self) -> None:
        call = self._call
        loop = asyncio.get_running_loop()
        if self._state == _NEW:
            self._loop = loop
            self._state = _OPEN
            total = call.timeouts.total
            self._deadline = None if total is None else loop.time() + total
        left = None if self._deadline is None else self._deadline - loop.time()
        if left is not None and left <= 0:
            raise TotalTimeoutError(
                f"the call took longer than Timeouts.total={call.timeouts.total}s"
            )
        pause = call.transport.pause
        await retrying(call.retry, left, self._open, self._may_retry, pause=pause, probe=call.probe)

    def _may_retry(self) -> bool:
        return not self._call.transport.closed

    async def _open(self, total: float | None) -> None:
        call = self._call
        response, self._lease = await call.open(total)
        if response.status >= 400:
            self._release_lease()
            raise await read_error(response)
        transport = call.transport
        if transport.closed:  # while the headers were on their way (a borrowed session)
            response.close()
            self._release_lease()
            raise client_closed()
        transport.responses.add(response)  # for aclose() to wake this reader
        self._response = response
        self._content = response.content
        self._reader = EventReader(call.max_event_bytes)
        self._fresh = True

    def _first_bytes(self) -> None:
        """The body's first bytes came: from now on the socket read timeout is the idle one."""
        self._fresh = False
        if (probe := self._call.probe) is not None:
            probe.first_bytes()
        response = self._response
        connection = response.connection if response is not None else None
        if connection is not None and connection.protocol is not None:
            connection.protocol.read_timeout = self._call.timeouts.idle
            connection.protocol.start_timeout()

    async def _broken(self, failure: GeminiError) -> None:
        """The connection broke before the interaction ended: reconnect after the last event
        seen, or raise ``failure`` (with the reason no reconnection was made)."""
        self._report("error", failure)  # this connection's request ends; a resume is another
        self._close_response()
        transport = self._call.transport
        if transport.closed or not isinstance(failure, _RESUMABLE):
            raise failure
        interaction_id = self._fold.id
        if interaction_id is None:
            raise failure  # no event came: there is nothing to resume
        received = self._fold.event_ids
        last_event_id = self._last_id()
        if last_event_id is None and received:
            raise StreamInterruptedError(
                f"{failure}; the server sent no event_id, so the stream of interaction "
                f"{interaction_id!r} cannot be resumed without repeating or missing events "
                f"(client.interactions.get({interaction_id!r}) has the whole interaction)"
            ) from failure
        if len(received) > self._progress:  # this connection brought new events
            self._progress, self._resumes = len(received), 0
        self._resumes += 1
        policy = self._call.retry
        if self._resumes >= policy.max_attempts:
            raise StreamInterruptedError(
                f"{failure}; gave up after {self._resumes - 1} reconnections in a row that "
                f"brought no new event (RetryPolicy.max_attempts={policy.max_attempts})"
            ) from failure
        if self._seen is None:  # from now on a server may repeat events: drop them
            self._seen = {event_id for event_id in received if event_id is not None}
        await transport.pause(backoff_delay(policy, self._resumes))
        self._call = self._resume(interaction_id, last_event_id)

    # -- ending --------------------------------------------------------------------------------

    def _fail(self, exc: GeminiError) -> GeminiError:
        """End the stream with ``exc``; return the error to raise, its ``partial`` set."""
        self._finish(close=True)
        if isinstance(exc, APIConnectionError) and self._call.transport.closed:
            closed = client_closed(reading=True)
            closed.__cause__ = exc
            exc = closed
        if exc.partial is None:
            exc.partial = cast(Any, self._fold.interaction)
        self._report("error", exc)
        return exc

    def _report(self, outcome: str, error: BaseException | None) -> None:
        """Tell the request's watchers (hooks, log, span), if any, that its reply ended."""
        call = self._call  # None when a benchmark feeds the reader bytes of its own
        if call is not None and call.probe is not None:
            call.probe.left(outcome, error)

    def _close_response(self) -> None:
        response, self._response = self._response, None
        self._content = None
        if response is not None:
            self._call.transport.responses.discard(response)
            response.close()
        self._release_lease()

    def _finish(self, *, close: bool) -> None:
        self._state = _DONE
        response, self._response = self._response, None
        self._content = None
        if response is not None:
            self._call.transport.responses.discard(response)
            if close:
                response.close()
            else:
                response.release()
        self._release_lease()

    def _release_lease(self) -> None:
        lease, self._lease = self._lease, None
        if lease is not None:  # with the input tokens the usage reports, when it came
            usage = self._fold.usage
            lease.release(usage.total_input_tokens if usage is not None else None)
