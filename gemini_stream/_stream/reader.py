"""``ReplyReader``: the machinery under ``ChunkStream``. It sends the request (retrying a
failure before the first chunk), reads the body as the socket delivers it, decodes each read's
events, folds the chunks into the reply, and releases the response exactly once."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, cast

import aiohttp

from .. import sse
from .._errors import (
    APIConnectionError,
    ConcurrentReadError,
    EventTooLargeError,
    GeminiError,
    client_closed,
    reply_too_large,
)
from .._http.failures import READ_FAILURES, error_from_body, read_error, read_failure
from .._http.retry import retrying
from .._wire.candidate import UsageMetadata
from .._wire.http_info import HttpInfo
from .._wire.response import GenerateContentResponse
from .accumulate import consolidate
from .accumulate_batch import (
    accumulate_batch,
    join_tail,
    latest_usage,
    surely_finished,
    take_chunks,
)
from .endings import reset_under
from .events import checked_chunks, first_event_end, incomplete

if TYPE_CHECKING:
    from .._http.call import Call
    from .._limits.limiter import Lease

__all__ = ("ReplyReader",)

_NEW, _OPEN, _DONE = 0, 1, 2
# Received chunks are folded into the reply when it is asked for (``response``, an error's
# ``partial``), or, this many at a time, when a read brings more: one fold of a few dozen plain
# text deltas costs about what one delta does, and a reply nobody asks for (a relay) is never
# folded. Meanwhile a run of plain text deltas waits as its last chunk and its texts
# (``take_chunks``), not a chunk of about 1 KB each: a stream held open mid-reply holds about
# what the floor client does (1,000 streams after 10 events: 1.58x -> 0.94x its RSS).
_FOLD_AFTER = 32
# What a stream holds for its chunks until its first body bytes arrive: one empty tuple shared
# by all (typed as the list each stream then makes; mutating it would raise). With a thousand
# requests waiting for their headers, every object a request holds is a thousand objects more
# for the garbage collector to go through. Measured with the first attempt below and fan-out's
# _chunk_items: stream_many 1.34x -> 1.28x the floor at 200 streams (docs/benchmarks-history.md).
_NO_CHUNKS: Final = cast("list[GenerateContentResponse]", ())
_NO_TEXTS: Final = cast("list[str]", ())
# A read this short with no CR or LF in it ends no line, so it completes no event (a server, or
# a proxy, that writes a byte at a time): ``_on_data`` appends it to ``_carry`` and returns, and
# the decoder gets the bytes carried with the next read that may end a line. ``_carry`` goes to
# the decoder at ``_CARRY_MAX`` bytes at the latest, so the event size cap is checked at least
# that often. (The chat corpus one byte per read: 1.69x -> 1.19x the floor's instructions, the
# decoder's call and checks on every byte costing more than the floor's whole loop.)
_SMALL_READ = 16
_CARRY_MAX = 1024
_NO_BYTES: Final = cast("bytearray", b"")


class ReplyReader:
    """One streamed reply's state and how it advances; ``ChunkStream`` is its public face.

    Fan-out drives it directly (``_next_batch``, ``_on_data``, ``_end``, ``_fail``), so a
    socket read can be handed to another task and decoded there.
    """

    __slots__ = (
        "__weakref__", "_busy", "_call", "_carry", "_consolidated", "_content", "_decoder",
        "_deferred", "_fresh", "_http", "_lease", "_loop", "_pending", "_response", "_snapshot",
        "_state", "_texts", "_undecoded", "_undecoded_from", "_unfolded", "_yielded",
    )  # fmt: skip

    def __init__(self, call: Call) -> None:
        self._call = call
        self._state = _NEW
        self._response: aiohttp.ClientResponse | None = None
        self._content: aiohttp.StreamReader | None = None  # the body, until it ends
        # Made when the body's first bytes arrive (see ``_first_bytes``), as are the lists.
        self._decoder: sse.DataDecoder | None = None
        self._carry = _NO_BYTES  # short reads not given to the decoder yet (``_SMALL_READ``)
        # Chunks decoded but not yet handed out, last first (so pop() gives the next).
        self._pending = _NO_CHUNKS
        # The reply so far is ``_snapshot`` with ``_unfolded`` (oldest first, a text run held
        # as its last chunk and ``_texts``: see ``take_chunks``) and then ``_fresh`` (the last
        # read's chunks, as decoded) folded in. ``_fresh`` is held compactly when the next
        # read comes or the stream waits for one: a reply that comes in one read (a relay of
        # a fast server) never pays for it.
        self._snapshot: GenerateContentResponse | None = None
        self._unfolded = _NO_CHUNKS
        self._texts = _NO_TEXTS
        self._fresh = _NO_CHUNKS
        self._consolidated = False  # whether ``_snapshot`` is as ``response`` gives it
        # Fan-out sets this (to b""): the read that brought the reply's first event goes
        # there, for the consumer to decode from ``_undecoded_from`` on (``_fanout.reads``).
        self._undecoded: bytes | None = None
        self._undecoded_from = 0
        self._deferred: GeminiError | None = None
        self._yielded = False
        self._busy = False  # a task waits in _next_slow: another one may not come in
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lease: Lease | None = None
        self._http: HttpInfo | None = None  # the response's status and headers, once come

    def _merged(self) -> GenerateContentResponse:
        """The reply so far, merged (what ``response`` gives)."""
        snapshot = self._fold()
        if snapshot is None:
            return GenerateContentResponse()
        if not self._consolidated:
            # The merged reply is a snapshot too: later chunks fold into it, and reading
            # ``response`` again costs nothing until they do.
            snapshot = self._snapshot = consolidate(snapshot)
            self._consolidated = True
        return snapshot

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
            if self._busy:
                # Nothing of the stream is touched: the task already reading goes on.
                raise ConcurrentReadError(
                    "another task is reading this stream and waits for its data; read a "
                    "stream from one task at a time"
                )
            self._busy = True
            try:
                if self._state == _NEW:
                    loop = self._loop = asyncio.get_running_loop()
                    self._state = _OPEN
                    call, started, failed = self._call, loop.time(), None
                    # The first attempt is made here rather than in retrying(), and sends
                    # here rather than in _start(): the usual request waits for its headers
                    # with two coroutines and two bound methods fewer (with three changes of
                    # the kind: stream_many 1.27x -> 1.12x the floor at 1,000 streams).
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
                            pause=call.transport.pause,
                            probe=call.probe,
                        )
                else:
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
                self._yielded = True
                return self._pending.pop()
        error, self._deferred = self._deferred, None
        if error is None:
            raise StopAsyncIteration
        raise error

    def _may_retry(self) -> bool:
        """Retrying is allowed until the first chunk was handed to the caller."""
        if self._yielded or self._call.transport.closed:
            return False
        self._finish(close=True)
        self._state = _OPEN
        self._decoder = None
        self._carry = _NO_BYTES
        self._pending = _NO_CHUNKS
        self._snapshot = None
        self._unfolded = _NO_CHUNKS
        self._texts = _NO_TEXTS
        self._fresh = _NO_CHUNKS
        self._consolidated = False
        if self._undecoded is not None:
            self._undecoded = b""  # a failed attempt's bytes are not this reply's
        self._deferred = None
        self._http = None
        return True

    async def _start(self, total: float | None) -> None:
        """Send the request and read until the first chunk or the end of the reply."""
        response, self._lease = await self._call.open(total)
        await self._opened(response)

    async def _opened(self, response: aiohttp.ClientResponse) -> None:
        """The response's headers came: read until the first chunk or the end of the reply."""
        if response.status >= 400:
            raise await read_error(response)
        transport = self._call.transport
        if transport.closed:  # while the headers were on their way (a borrowed session)
            response.close()
            raise client_closed(reading=True)
        transport.responses.add(response)  # for aclose() to wake this reader
        self._response = response
        self._http = HttpInfo(response.status, response.headers, response.url)
        self._content = response.content
        await self._fill()

    async def _fill(self) -> None:
        """Read from the socket until at least one chunk is decoded or the reply ends."""
        cap = self._call.max_reply_bytes
        while not self._pending and (content := self._content) is not None:
            if self._fresh:
                self._hold()  # waiting, maybe long: the chunks handed out are held compactly
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
            elif content.total_bytes > cap and self._state != _DONE:
                self._defer_or_raise(reply_too_large(cap))  # aiohttp counts the bytes anyway

    def _progress(self) -> tuple[int, int, int] | None:
        """``None`` while a task waits for this reply's data; otherwise a value that changes
        as the reply moves on (a chunk handed out, body bytes received). A chat waiting for
        this reply uses it to tell a reply being read from one left open (``_chat.busy``)."""
        if self._busy:
            return None
        content = self._content
        return (self._state, len(self._pending), -1 if content is None else content.total_bytes)

    def _at_eof(self) -> bool:
        """Whether the whole body was received and read: the next read would give ``b""``."""
        response = self._response
        return response is not None and response.content.at_eof()

    def _on_data(self, data: bytes | memoryview) -> None:
        """Take one socket read (``b""``: the end of the body): decode it, check it and queue
        its chunks. An error found is raised, or deferred until the chunks before it are out."""
        if len(data) < _SMALL_READ and 10 not in data and 13 not in data:
            # No CR or LF: this read ends no line, so no event. The end of the body, or bytes
            # to carry until a read that may end a line (a server writing byte by byte).
            if not data:
                self._end()
                return
            carry = self._carry
            if len(carry) < _CARRY_MAX and self._decoder is not None:
                carry += data
                return
        decoder = self._decoder
        if decoder is None:
            decoder = self._first_bytes()
        try:
            if self._carry:
                self._feed_carry(decoder)
            if self._undecoded is None or not isinstance(data, bytes):
                payloads = decoder.feed(data)
            else:  # fan-out's worker: the first event is decoded here, the consumer the rest
                cut = first_event_end(data)
                payloads = decoder.feed(data[:cut] if cut < len(data) else data)
                if payloads:  # the reply's first chunk: this read is the last the worker takes
                    self._undecoded, self._undecoded_from = data, cut
                elif cut < len(data):  # no event ended where it looked to: take it all now
                    payloads = decoder.feed(data[cut:])
        except sse.EventTooLargeError as exc:
            raise EventTooLargeError(str(exc)) from exc
        if not payloads:
            return  # a read within an event (a slow or byte-by-byte server): nothing to decode
        batch, error = checked_chunks(payloads)
        self._take(batch)
        if error is not None:
            self._defer_or_raise(error)

    def _feed_carry(self, decoder: sse.DataDecoder) -> None:
        """Give the decoder the short reads carried over: they end no line, so no event."""
        decoder.feed(self._carry)
        self._carry.clear()

    def _take(self, batch: list[GenerateContentResponse]) -> None:
        """Queue the chunks of one read for the caller; hold the earlier read's compactly."""
        if batch:
            if self._fresh:
                self._hold()
            self._fresh = batch.copy()
            batch.reverse()
        self._pending = batch

    def _fold(self) -> GenerateContentResponse | None:
        """Fold the chunks not folded yet into the snapshot; return it."""
        if len(self._texts) > 1:
            self._unfolded[-1] = join_tail(self._unfolded, self._texts)
        unfolded = self._held()
        if unfolded:
            self._count_fresh()
            self._snapshot = accumulate_batch(self._snapshot, unfolded)
            self._unfolded = []
            self._texts = []
            self._fresh = _NO_CHUNKS
            self._consolidated = False
        return self._snapshot

    def _hold(self) -> None:
        """Hold the last read's chunks compactly (folding all, past ``_FOLD_AFTER``)."""
        if len(self._unfolded) >= _FOLD_AFTER or len(self._texts) >= _FOLD_AFTER:
            self._fold()
        else:
            self._count_fresh()
            take_chunks(self._unfolded, self._texts, self._fresh)
            self._fresh = _NO_CHUNKS

    def _count_fresh(self) -> None:
        """Chunks are counted for the request's watchers as they leave ``_fresh``."""
        if (probe := self._call.probe) is not None:
            probe.chunks += len(self._fresh)

    def _held(self) -> list[GenerateContentResponse]:
        """The chunks not folded yet, oldest first; a held text run as its last chunk (which
        has the run's usage and finish reason: enough for ``latest_usage``, ``surely_finished``)."""
        unfolded, fresh = self._unfolded, self._fresh
        return unfolded + fresh if unfolded and fresh else unfolded or fresh

    def _first_bytes(self) -> sse.DataDecoder:
        """The body's first bytes came: make the decoder and the lists for the chunks, and
        from now on the socket read timeout is the idle one."""
        decoder = self._decoder = sse.DataDecoder(max_event_bytes=self._call.max_event_bytes)
        self._carry = bytearray()
        if (probe := self._call.probe) is not None:
            probe.first_bytes()
        self._pending = []
        self._unfolded = []
        self._texts = []
        response = self._response
        connection = response.connection if response is not None else None
        if connection is not None and connection.protocol is not None:
            connection.protocol.read_timeout = self._call.timeouts.idle
            connection.protocol.start_timeout()
        return decoder

    def _end(self) -> None:
        """The server closed the body: check that the reply is complete."""
        decoder, leftover = self._decoder, b""
        if decoder is not None:
            if self._carry:
                try:
                    self._feed_carry(decoder)
                except sse.EventTooLargeError as exc:
                    raise EventTooLargeError(str(exc)) from exc
            leftover = decoder.flush()
        response = self._response
        reset = reset_under(response) if response is not None else None
        self._finish(close=False)
        error: GeminiError | None = reset
        if error is None and leftover:
            error = error_from_body(leftover)
        if error is None and not surely_finished(self._snapshot, self._held()):
            error = incomplete(self._merged(), leftover)  # the usual end needs no fold to know
        if error is not None:
            self._defer_or_raise(error)
        else:
            self._report("ok", None)

    def _defer_or_raise(self, error: GeminiError) -> None:
        """Hand out the chunks already decoded first, then raise ``error``."""
        self._finish(close=True)
        if error.http is None:
            error.http = self._http
        if self._pending:
            error.partial = self._merged()
            self._deferred = error
            self._report("error", error)
        else:
            raise error

    def _fail(self, exc: GeminiError) -> GeminiError:
        """End the reply with ``exc``; return the error to raise, its ``partial`` set: ``exc``,
        or a ``ClientClosedError`` when the client's ``aclose()`` broke the connection."""
        self._finish(close=True)
        if isinstance(exc, APIConnectionError) and self._call.transport.closed:
            closed = client_closed(reading=True)
            closed.__cause__ = exc
            exc = closed
        if exc.partial is None:
            exc.partial = self._merged()
        if exc.http is None:
            exc.http = self._http
        self._report("error", exc)
        return exc

    def _report(self, outcome: str, error: BaseException | None) -> None:
        """Tell the request's watchers (hooks, log, span), if any, that the reply ended."""
        probe = self._call.probe
        if probe is not None and not probe.done:
            reply = self._merged() if probe.bodies else None
            self._count_fresh()
            probe.streamed(outcome, error, self._snapshot, self._held(), reply)

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
        lease, self._lease = self._lease, None
        if lease is not None:
            lease.release(self._prompt_tokens())

    def _usage(self) -> UsageMetadata | None:
        """The reply's ``usage_metadata``, read without merging the reply."""
        return latest_usage(self._snapshot, self._held())

    def _prompt_tokens(self) -> int | None:
        usage = self._usage()
        return None if usage is None else usage.prompt_token_count
