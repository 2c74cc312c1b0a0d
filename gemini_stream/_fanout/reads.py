"""``stream_many`` hands a ``ChunkStream``'s socket reads to the consumer, which decodes them.

When many streams' reads complete in one turn of the event loop (a busy client, a server that
outpaces it), workers that decoded their own reads would all decode before the consumer runs:
thousands of decoded chunks would wait, gone cold in the CPU caches by the time they are read
(half again the cost per chunk at 200 streams). So a worker decodes only its reply's first
event (a failure before the first chunk is retried, as for ``client.stream``); it hands the
rest of that read on, and every later read, as the bytes came, each as a ``Read``. The
consumer splits and decodes a ``Read`` when it gets to it (events split by the worker had gone
cold too), and the chunks go from the decoder to the caller while they are still in cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import anyio

from .._errors import GeminiError, reply_too_large
from .._http.failures import READ_FAILURES, read_failure
from .._stream.chunk_stream import ChunkStream
from .._stream.reader import _DONE, _NO_CHUNKS
from .items import FanoutItem

if TYPE_CHECKING:
    from typing import TypeAlias

    import aiohttp
    from anyio.streams.memory import MemoryObjectSendStream

    from .._wire.response import GenerateContentResponse
    from .progress import Tracker


_NO_HEAD: list[GenerateContentResponse] = cast("list[GenerateContentResponse]", ())


class Read:
    """One socket read of a request's reply (``b""``: its end; ``None``: no bytes left to
    decode), or the failure of a read; ``start``: where its undecoded bytes start; ``head``:
    chunks that go before it (last first), decoded by the worker; ``taken``: whether the
    consumer decoded it."""

    __slots__ = (
        "data", "error", "head", "index", "request", "start", "stream", "taken", "tracker",
    )  # fmt: skip

    def __init__(
        self,
        stream: ChunkStream,
        index: int,
        request: object,
        tracker: Tracker,
        data: bytes | None,
        error: GeminiError | None = None,
        head: list[GenerateContentResponse] | None = None,
        start: int = 0,
    ) -> None:
        self.stream = stream
        self.index = index
        self.request = request
        self.tracker = tracker
        self.data = data
        self.start = start
        self.error = error
        self.head = head or _NO_HEAD
        self.taken = False

    def decode(self) -> tuple[list[GenerateContentResponse], FanoutItem | None]:
        """Decode the read in the consumer's task: its chunks, last first, and the item that
        ends the request when the reply ended or failed here (it goes after the chunks).

        The consumer makes each chunk's ``FanoutItem`` as it hands the chunk out, so a read's
        hundred items are never all alive at once, and no list carries them.
        """
        stream, head = self.stream, self.head
        self.head = _NO_HEAD  # decoded: a Read kept until the next one holds no chunk
        self.taken = True
        if stream._state == _DONE:
            return head, None  # the request failed already: what its worker read since is dropped
        error, data = self.error, self.data
        self.data = None  # decoded: a stream held open holds no read it has done with
        if error is None:
            try:
                if data is not None:
                    # A view made here, not by the worker: it is not alive while buffered.
                    stream._on_data(memoryview(data)[self.start :] if self.start else data)
                if stream._state != _DONE and stream._at_eof():
                    stream._end()  # the body's end came meanwhile: its worker need not say so
                elif stream._fresh:
                    stream._hold()  # more to come, maybe much later: held compactly meanwhile
            except GeminiError as exc:
                error = exc
        if error is not None:
            error = stream._fail(error)
            self.tracker.ended(error.partial, failed=True)
            return head, FanoutItem("error", self.index, self.request, error=error)
        # A stream held open holds no list of its own until its next read's chunks.
        chunks, stream._pending = stream._pending, _NO_CHUNKS
        self.tracker.progress.chunks += len(chunks)
        end = None
        if stream._state == _DONE:  # the end of the reply, or an error after these chunks
            error, stream._deferred = stream._deferred, None
            if error is None:
                self.tracker.ended(stream, failed=False)
                end = FanoutItem("done", self.index, self.request, _reply=stream)
            else:
                self.tracker.ended(error.partial, failed=True)
                end = FanoutItem("error", self.index, self.request, error=error)
        if head:
            if not chunks:
                return head, end  # the list its worker made, handed on as it is
            chunks += head
            head.clear()  # the list its worker made: not alive with the first chunk in it
        return chunks, end


async def hand_over(
    stream: ChunkStream,
    content: aiohttp.StreamReader,
    send: MemoryObjectSendStream[Batch],
    index: int,
    request: object,
    tracker: Tracker,
    first: list[GenerateContentResponse],
) -> None:
    """Send the first chunks (last first) with the events ``stream`` holds undecoded, then
    each read of ``content`` (its body) to the end of the reply."""
    undecoded, stream._undecoded = stream._undecoded, None
    start = stream._undecoded_from
    if not undecoded or start >= len(undecoded):
        undecoded = None  # the read ended with the first event
    last = Read(stream, index, request, tracker, undecoded, head=first, start=start)
    undecoded = None  # the Read has it (until decoded)
    await send_batch(send, last)
    cap = stream._call.max_reply_bytes
    while True:
        error = None
        try:
            data = await content.readany()
        except READ_FAILURES as exc:
            data = b""
            error = read_failure(exc, stream._call.timeouts, started=True)
            error.__cause__ = exc  # as ``raise ... from exc`` in ChunkStream._fill
        if stream._state == _DONE:
            return  # the consumer ended the reply already (see ``Read.decode``)
        if not data and error is None and not last.taken:
            return  # the consumer has yet to decode the last data, and will find the end there
        last = Read(stream, index, request, tracker, data, error)
        await send_batch(send, last)
        if not data:
            return
        if content.total_bytes > cap:  # the read's chunks go out, then the error
            await send_batch(
                send, Read(stream, index, request, tracker, None, reply_too_large(cap))
            )
            return
        data = b""  # the consumer has the read: not kept alive while the next one is awaited


async def send_batch(send: MemoryObjectSendStream[Batch], batch: Batch) -> None:
    """Hand ``batch`` to the consumer; wait while the buffer is full."""
    try:  # ``send()`` always passes through the event loop; most batches fit as they are
        send.send_nowait(batch)
    except anyio.WouldBlock:
        await send.send(batch)  # the consumer is behind: stop reading until it reads


if TYPE_CHECKING:
    # What travels from the requests to the consumer: items, last first, or a socket read of
    # a stream, which the consumer decodes into items.
    Batch: TypeAlias = list[FanoutItem] | Read
