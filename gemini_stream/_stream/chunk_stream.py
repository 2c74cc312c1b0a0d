"""``ChunkStream``: one streamed reply as an async iterator and an async context manager."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

import aiohttp

from .. import sse
from .._errors import (
    EventTooLargeError,
    GeminiError,
    IncompleteStreamError,
    StreamConsumedError,
)
from .._http.codec import decode_chunks
from .._http.failures import READ_FAILURES, error_from_body, read_error, read_failure
from .._http.retry import retrying
from .._input.structured import schema_type
from .._wire.candidate import UsageMetadata
from .._wire.response import GenerateContentResponse, parse_json
from .accumulate import consolidate
from .accumulate_batch import accumulate_batch, latest_usage, surely_finished
from .blocked import blocked_error, stopped_reason
from .deltas import DeltaStream

if TYPE_CHECKING:
    from types import TracebackType

    from .._http.call import Call
    from .._limits.limiter import Lease

_NEW, _OPEN, _DONE = 0, 1, 2
# Received chunks are folded into the reply when it is asked for (``response``, an error's
# ``partial``), or, this many at a time, when a read brings more: one fold of a few dozen plain
# text deltas costs about what one delta does, the chunks waiting hold at most a few dozen KB
# beyond the last read's, and a reply nobody asks for (a relay) is never folded.
_FOLD_AFTER = 32
# What a stream holds for its chunks until its first body bytes arrive: one empty tuple shared
# by all (typed as the list each stream then makes; mutating it would raise). With a thousand
# requests waiting for their headers, every object a request holds is a thousand objects more
# for the garbage collector to go through, and more requests' objects promoted.
_NO_CHUNKS: Final = cast("list[GenerateContentResponse]", ())
_T = TypeVar("_T")


class ChunkStream:
    """One streamed reply: ``async for chunk in stream`` yields ``GenerateContentResponse`` chunks.

    Returned by ``client.stream(...)`` without ``await``; nothing is sent until it is first
    iterated. The HTTP response is released exactly once: when the stream is exhausted, fails,
    is cancelled, is closed with ``aclose()``, leaves ``async with``, or is dropped after a
    ``break`` (the stream holds no reference cycles, so CPython frees it at once).

    Example:
        >>> async with client.stream("gemini-2.5-flash", "Tell me a story") as stream:
        ...     async for chunk in stream:
        ...         print(chunk.text, end="")
    """

    __slots__ = (
        "__weakref__",
        "_call",
        "_consolidated",
        "_content",
        "_decoder",
        "_deferred",
        "_lease",
        "_loop",
        "_pending",
        "_response",
        "_snapshot",
        "_state",
        "_undecoded",
        "_undecoded_from",
        "_unfolded",
        "_yielded",
    )

    def __init__(self, call: Call) -> None:
        self._call = call
        self._state = _NEW
        self._response: aiohttp.ClientResponse | None = None
        self._content: aiohttp.StreamReader | None = None  # the body, until it ends
        # Made when the body's first bytes arrive (see ``_first_bytes``), as are the lists.
        self._decoder: sse.DataDecoder | None = None
        # Chunks decoded but not yet handed out, last first (so pop() gives the next).
        self._pending = _NO_CHUNKS
        # The reply so far is ``_snapshot`` with ``_unfolded`` (oldest first) folded in.
        self._snapshot: GenerateContentResponse | None = None
        self._unfolded = _NO_CHUNKS
        self._consolidated = False  # whether ``_snapshot`` is as ``response`` gives it
        # Fan-out sets this (to b""): the read that brought the reply's first event goes
        # there, for the consumer to decode from ``_undecoded_from`` on (_fanout_reads).
        self._undecoded: bytes | None = None
        self._undecoded_from = 0
        self._deferred: GeminiError | None = None
        self._yielded = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lease: Lease | None = None

    # -- public surface -------------------------------------------------------------------

    @property
    def response(self) -> GenerateContentResponse:
        """The reply accumulated so far: every chunk received, merged into one response.

        Merged when read: until then the stream holds the chunks of its last reads (about
        1 KB each), so to keep many replies, keep ``stream.response`` rather than the stream.
        """
        snapshot = self._fold()
        if snapshot is None:
            return GenerateContentResponse()
        if not self._consolidated:
            # The merged reply is a snapshot too: later chunks fold into it, and reading
            # ``response`` again costs nothing until they do.
            snapshot = self._snapshot = consolidate(snapshot)
            self._consolidated = True
        return snapshot

    @property
    def text_stream(self) -> DeltaStream:
        """An async iterator over the text deltas of the reply (thought summaries excluded)."""
        return DeltaStream(self)

    @property
    def thought_stream(self) -> DeltaStream:
        """An async iterator over the thought-summary deltas (with ``include_thoughts``)."""
        return DeltaStream(self, thought=True)

    async def final_response(self) -> GenerateContentResponse:
        """Consume the rest of the stream and return the whole reply, merged."""
        if self._state != _DONE:
            async for _ in self:
                pass
        return self.response

    async def final_text(self) -> str:
        """Consume the rest of the stream and return the reply's text.

        Raises:
            BlockedError: the prompt was blocked, or the reply was stopped (for safety,
                recitation, ...) before it produced any text.
        """
        response = await self.final_response()
        text = response.text
        if not text:
            reason = response.block_reason or stopped_reason(response)
            if reason is not None:
                raise blocked_error(response, reason)
        return text

    @overload
    async def final_parsed(self, type_: type[_T]) -> _T: ...
    @overload
    async def final_parsed(self, type_: Any = None) -> Any: ...
    async def final_parsed(self, type_: Any = None) -> Any:
        """Consume the rest of the stream and decode the reply's JSON text (structured output).

        Args:
            type_: the type to decode into; by default the type the request's
                ``config={"response_schema": ...}`` named, or plain JSON values.

        Raises:
            ParseError: the text is not JSON or does not conform to the type.
            BlockedError: the prompt or the reply was blocked.
        """
        text = await self.final_text()
        return parse_json(text, schema_type(self._call.body) if type_ is None else type_)

    def __aiter__(self) -> ChunkStream:
        if self._state == _DONE:
            raise StreamConsumedError(
                "this stream was already consumed or closed; its reply is in stream.response"
            )
        return self

    async def __anext__(self) -> GenerateContentResponse:
        if self._pending:
            self._yielded = True
            return self._pending.pop()
        return await self._next_slow()

    async def __aenter__(self) -> ChunkStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the stream and release its connection; safe to call more than once.

        A task iterating the stream meanwhile (a "stop" button handled elsewhere) sees the
        iteration end, without an error; ``response`` keeps what was received.
        """
        self._pending = _NO_CHUNKS
        self._deferred = None
        self._finish(close=True)

    def __del__(self) -> None:
        response = self._response
        if response is not None:
            loop = self._loop
            if loop is not None and not loop.is_closed():
                response.close()
        lease = self._lease
        if lease is not None and self._loop is not None and not self._loop.is_closed():
            lease.release(self._prompt_tokens())

    def __repr__(self) -> str:
        state = ("not started", "open", "finished")[self._state]
        return f"<ChunkStream {self._call.label} {state}>"

    # -- machinery --------------------------------------------------------------------------

    async def _next_batch(self) -> list[GenerateContentResponse]:
        """The chunks of the next socket read, last first (``[]`` at the end of the reply).

        For fan-out, which hands a read's chunks on at once: errors and the end are as for
        ``__anext__``, which costs a coroutine per chunk.
        """
        if not self._pending:
            try:
                first = await self._next_slow()
            except StopAsyncIteration:
                return []
            self._pending.append(first)  # last first: it is popped, or handed on, first
        batch, self._pending = self._pending, []
        self._yielded = True
        return batch

    async def _next_slow(self) -> GenerateContentResponse:
        if self._deferred is None:
            if self._state == _DONE:
                raise StopAsyncIteration
            try:
                if self._state == _NEW:
                    loop = self._loop = asyncio.get_running_loop()
                    self._state = _OPEN
                    call, started, failed = self._call, loop.time(), None
                    # The first attempt is made here rather than in retrying(), and sends
                    # here rather than in _start(): the usual request waits for its headers
                    # with two coroutines and two bound methods fewer (with a thousand
                    # requests waiting, the garbage collector goes through every object
                    # they hold).
                    try:
                        response, self._lease = await call.open(call.timeouts.total)
                        await self._opened(response)
                    except GeminiError as exc:
                        failed = exc
                    if failed is not None:
                        await retrying(
                            call.retry,
                            call.timeouts.total,
                            self._start,
                            self._may_retry,
                            limiter=call.limiter,
                            failed=failed,
                            started=started,
                        )
                else:
                    await self._fill()
            except GeminiError as exc:
                self._fail(exc)
                raise
            except BaseException:
                self._finish(close=True)
                raise
            if self._pending:
                self._yielded = True
                return self._pending.pop()
        error, self._deferred = self._deferred, None
        if error is None:
            raise StopAsyncIteration
        raise error

    def _may_retry(self) -> bool:
        """Retrying is allowed until the first chunk was handed to the caller."""
        if self._yielded:
            return False
        self._finish(close=True)
        self._state = _OPEN
        self._decoder = None
        self._pending = _NO_CHUNKS
        self._snapshot = None
        self._unfolded = _NO_CHUNKS
        self._consolidated = False
        if self._undecoded is not None:
            self._undecoded = b""  # a failed attempt's bytes are not this reply's
        self._deferred = None
        return True

    async def _start(self, total: float | None) -> None:
        """Send the request and read until the first chunk or the end of the reply."""
        response, self._lease = await self._call.open(total)
        await self._opened(response)

    async def _opened(self, response: aiohttp.ClientResponse) -> None:
        """The response's headers came: read until the first chunk or the end of the reply."""
        if response.status >= 400:
            raise await read_error(response)
        self._response = response
        self._content = response.content
        await self._fill()

    async def _fill(self) -> None:
        """Read from the socket until at least one chunk is decoded or the reply ends."""
        content = self._content
        assert content is not None
        while not self._pending and self._content is not None:
            try:
                data = await content.readany()
            except READ_FAILURES as exc:
                if self._state == _DONE:
                    return  # aclose() from another task ended the stream: a clean end
                started = self._decoder is not None  # the body's first bytes came
                raise read_failure(exc, self._call.timeouts, started=started) from exc
            if self._state == _DONE:
                return  # closed while this read was on its way
            self._on_data(data)
            if self._undecoded is None and self._at_eof():
                self._end()  # the body's end came with this read: no read to learn it

    def _at_eof(self) -> bool:
        """Whether the whole body was received and read: the next read would give ``b""``."""
        response = self._response
        return response is not None and response.content.at_eof()

    def _on_data(self, data: bytes | memoryview) -> None:
        """Take one socket read (``b""``: the end of the body): decode it, check it and queue
        its chunks. An error found is raised, or deferred until the chunks before it are out."""
        if not data:
            self._end()
            return
        decoder = self._decoder
        if decoder is None:
            decoder = self._first_bytes()
        try:
            if self._undecoded is None or not isinstance(data, bytes):
                payloads = decoder.feed(data)
            else:  # fan-out's worker: the first event is decoded here, the consumer the rest
                cut = _first_event_end(data)
                payloads = decoder.feed(data[:cut] if cut < len(data) else data)
                if payloads:  # the reply's first chunk: this read is the last the worker takes
                    self._undecoded, self._undecoded_from = data, cut
                elif cut < len(data):  # no event ended where it looked to: take it all now
                    payloads = decoder.feed(data[cut:])
        except sse.EventTooLargeError as exc:
            raise EventTooLargeError(str(exc)) from exc
        self._on_payloads(payloads)

    def _on_payloads(self, payloads: list[bytearray]) -> None:
        """Decode events, check them and queue their chunks (see ``_on_data``)."""
        batch, malformed = decode_chunks(payloads)
        for chunk in batch:  # written out, not _maybe_error(): this runs once per chunk
            if (
                chunk.candidates is None
                and chunk.usage_metadata is None
                and chunk.prompt_feedback is None
            ):
                if self._error_event(batch, payloads):
                    return
                break
        self._take(batch)
        if malformed is not None:
            self._defer_or_raise(malformed)

    def _error_event(self, batch: list[GenerateContentResponse], payloads: list[bytearray]) -> bool:
        """Whether ``batch`` holds an error event (an empty chunk may be one); if so, keep
        the chunks before it and raise the error, after them."""
        for position, chunk in enumerate(batch):
            if _maybe_error(chunk):
                error = error_from_body(bytes(payloads[position]))
                if error is not None:
                    self._take(batch[:position])
                    self._defer_or_raise(error)
                    return True
        return False

    def _take(self, batch: list[GenerateContentResponse]) -> None:
        """Queue the chunks of one read for the caller; fold earlier reads' chunks in bulk."""
        if batch:
            if len(self._unfolded) >= _FOLD_AFTER:
                self._fold()
            self._unfolded += batch
            batch.reverse()
        self._pending = batch

    def _fold(self) -> GenerateContentResponse | None:
        """Fold the chunks not folded yet into the snapshot; return it."""
        if self._unfolded:
            self._snapshot = accumulate_batch(self._snapshot, self._unfolded)
            self._unfolded = []
            self._consolidated = False
        return self._snapshot

    def _first_bytes(self) -> sse.DataDecoder:
        """The body's first bytes came: make the decoder and the lists for the chunks, and
        from now on the socket read timeout is the idle one."""
        decoder = self._decoder = sse.DataDecoder(max_event_bytes=self._call.max_event_bytes)
        self._pending = []
        self._unfolded = []
        response = self._response
        connection = response.connection if response is not None else None
        if connection is not None and connection.protocol is not None:
            connection.protocol.read_timeout = self._call.timeouts.idle
            connection.protocol.start_timeout()
        return decoder

    def _end(self) -> None:
        """The server closed the body: check that the reply is complete."""
        leftover = self._decoder.flush() if self._decoder is not None else b""
        self._finish(close=False)
        if leftover:
            error = error_from_body(leftover)
            if error is not None:
                self._defer_or_raise(error)
                return
        if surely_finished(self._snapshot, self._unfolded):
            return  # the usual end: no fold needed to know
        snapshot = self.response
        if snapshot.finish_reason is None and not snapshot.blocked:
            self._defer_or_raise(
                IncompleteStreamError(
                    "the stream ended without a finishReason: the reply is truncated"
                    + (f" (trailing bytes {_short(leftover)})" if leftover else "")
                )
            )

    def _defer_or_raise(self, error: GeminiError) -> None:
        """Hand out the chunks already decoded first, then raise ``error``."""
        self._finish(close=True)
        if self._pending:
            error.partial = self.response
            self._deferred = error
        else:
            raise error

    def _fail(self, exc: GeminiError) -> None:
        self._finish(close=True)
        if exc.partial is None:
            exc.partial = self.response

    def _finish(self, *, close: bool) -> None:
        self._state = _DONE
        response, self._response = self._response, None
        self._content = None
        if response is not None:
            if close:
                response.close()
            else:
                response.release()
        lease, self._lease = self._lease, None
        if lease is not None:
            lease.release(self._prompt_tokens())

    def _usage(self) -> UsageMetadata | None:
        """The reply's ``usage_metadata``, read without merging the reply."""
        return latest_usage(self._snapshot, self._unfolded)

    def _prompt_tokens(self) -> int | None:
        usage = self._usage()
        return None if usage is None else usage.prompt_token_count


def _first_event_end(data: bytes) -> int:
    """Where ``data`` goes on after its first event's blank line (``len(data)``: none seen).

    Only a hint of where to cut: the decoder, fed both parts in order, decides.
    """
    end = data.find(b"\r\n\r\n")
    if end >= 0:
        return end + 4
    end = data.find(b"\n\n")
    return len(data) if end < 0 else end + 2


def _maybe_error(chunk: GenerateContentResponse) -> bool:
    """An error event (``{"error": {...}}``) decodes to a chunk with none of these."""
    return (
        chunk.candidates is None and chunk.usage_metadata is None and chunk.prompt_feedback is None
    )


def _short(data: bytes) -> str:
    return repr(data[:80]) + ("..." if len(data) > 80 else "")
