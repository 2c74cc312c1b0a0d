"""``stream_many`` hands a ``ChunkStream``'s socket reads to the consumer, which decodes them.

When many streams' reads complete in one turn of the event loop (a busy client, a server that
outpaces it), workers that decoded their own reads would all decode before the consumer runs:
thousands of decoded chunks would wait, gone cold in the CPU caches by the time they are read
(half again the cost per chunk at 200 streams). So a worker decodes only its reply's first
event (a failure before the first chunk is retried, as for ``client.stream``); it hands the
rest of that read on as split events, and every later read as it came, each as a ``Read``.
The consumer decodes a ``Read`` when it gets to it, and the chunks go from the decoder to the
caller while they are still in cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from ._errors import GeminiError
from ._fanout_types import FanoutItem
from ._stream import _DONE, ChunkStream
from ._transport import READ_FAILURES, read_failure

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectSendStream

    from ._fanout import _Tracker
    from ._fanout_types import Batch


class Read:
    """One socket read of a request's reply (``b""``: its end; a list: its events, split),
    or the failure of a read; ``head``: items that go before it, decoded by the worker."""

    __slots__ = ("data", "error", "head", "index", "request", "stream", "tracker")

    def __init__(
        self,
        stream: ChunkStream,
        index: int,
        request: object,
        tracker: _Tracker,
        data: bytes | list[bytearray],
        error: GeminiError | None = None,
        head: list[FanoutItem] | None = None,
    ) -> None:
        self.stream = stream
        self.index = index
        self.request = request
        self.tracker = tracker
        self.data = data
        self.error = error
        self.head = head or []

    def items(self) -> list[FanoutItem]:
        """Decode the read in the consumer's task; its items, last first."""
        stream, index, request, head = self.stream, self.index, self.request, self.head
        if stream._state == _DONE:
            return head  # the request failed already: what its worker read since is dropped
        error, data = self.error, self.data
        if error is None:
            try:
                if isinstance(data, list):
                    stream._on_payloads(data)
                else:
                    stream._on_data(data)
                if stream._state != _DONE and stream._at_eof():
                    stream._end()  # the body's end came meanwhile: its worker need not say so
            except GeminiError as exc:
                error = exc
        if error is not None:
            stream._fail(error)
            self.tracker.ended(error.partial, failed=True)
            return [FanoutItem("error", index, request, error=error), *head]
        batch, stream._pending = stream._pending, []
        self.tracker.progress.chunks += len(batch)
        items = [FanoutItem("chunk", index, request, chunk) for chunk in batch]
        if stream._state == _DONE:  # the end of the reply, or an error after these chunks
            error, stream._deferred = stream._deferred, None
            if error is None:
                self.tracker.ended(stream, failed=False)
                items.insert(0, FanoutItem("done", index, request, _reply=stream))
            else:
                self.tracker.ended(error.partial, failed=True)
                items.insert(0, FanoutItem("error", index, request, error=error))
        items += head
        return items


async def hand_over(
    stream: ChunkStream,
    send: MemoryObjectSendStream[Batch],
    index: int,
    request: object,
    tracker: _Tracker,
    first: list[FanoutItem],
) -> None:
    """Send the items of the first chunks with the events ``stream`` holds undecoded, then
    each read to the end of the reply."""
    undecoded, stream._undecoded = stream._undecoded, None
    await send_batch(send, Read(stream, index, request, tracker, undecoded or [], head=first))
    read = stream._read
    assert read is not None
    while True:
        try:
            data = await read()
        except READ_FAILURES as exc:
            if stream._state == _DONE:
                return  # the consumer ended the reply already (see ``Read.items``)
            error = read_failure(exc, stream._call.timeouts, started=True)
            error.__cause__ = exc  # as ``raise ... from exc`` in ChunkStream._fill
            await send_batch(send, Read(stream, index, request, tracker, b"", error))
            return
        if stream._state == _DONE:
            return  # the consumer saw the end of the body when it decoded the last data
        await send_batch(send, Read(stream, index, request, tracker, data))
        if not data:
            return


async def send_batch(send: MemoryObjectSendStream[Batch], batch: Batch) -> None:
    """Hand ``batch`` to the consumer; wait while the buffer is full."""
    try:  # ``send()`` always passes through the event loop; most batches fit as they are
        send.send_nowait(batch)
    except anyio.WouldBlock:
        await send.send(batch)  # the consumer is behind: stop reading until it reads
