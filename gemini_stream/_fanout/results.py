"""``FanoutResults``: the items of a ``stream_many`` batch, as ``async for`` takes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import anyio

from .._wire.response import GenerateContentResponse
from .items import FanoutItem

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectReceiveStream

    from .progress import Progress
    from .reads import Batch

__all__ = ("FanoutResults",)


class FanoutResults:
    """What ``async with client.stream_many(...) as results`` gives: the batch's items.

    ``async for item in results`` yields a ``FanoutItem`` for each chunk, and one ``"done"``
    or ``"error"`` item per request, as they happen; it ends when every request has ended.
    The buffer between the requests and you is bounded: while you do not read, the requests
    stop reading their sockets (backpressure), so memory stays flat. It holds batches: what
    one socket read brought for one request (handed on together, which costs less than one
    by one, and decoded as you reach it), or a request's ``"done"`` or ``"error"`` item.

    Attributes:
        progress: the batch's live ``Progress`` counters.
    """

    __slots__ = ("_chunks", "_index", "_ready", "_receive", "_request", "progress")

    def __init__(self, receive: MemoryObjectReceiveStream[Batch], progress: Progress) -> None:
        self._receive = receive
        # What the last batch holds, handed out first to last: the chunks of one request's
        # read (each made a FanoutItem on the way out), then items ready as they are.
        self._chunks: list[GenerateContentResponse] = []  # last first
        self._index = 0
        self._request: object = None
        self._ready: list[FanoutItem] = []  # last first
        self.progress = progress

    def __aiter__(self) -> AsyncIterator[FanoutItem]:
        return self._items()

    async def _items(self) -> AsyncIterator[FanoutItem]:
        """What ``async for`` runs: the items ``__anext__`` gives, one generator resumed per
        item rather than a coroutine made for each (about 35 ns less per item)."""
        while True:
            chunks, index, request = self._chunks, self._index, self._request
            while chunks:
                yield FanoutItem("chunk", index, request, chunks.pop())
            ready = self._ready
            if ready:
                yield ready.pop()
                continue
            try:
                item = await self._next_batch()
            except StopAsyncIteration:
                return
            yield item

    async def __anext__(self) -> FanoutItem:
        chunks = self._chunks
        if chunks:
            return FanoutItem("chunk", self._index, self._request, chunks.pop())
        ready = self._ready
        if ready:
            return ready.pop()
        return await self._next_batch()

    async def _next_batch(self) -> FanoutItem:
        """Take the next batch (a socket read is decoded here, in the consumer's task); return
        its first item."""
        receive = self._receive
        while True:
            # Batches already buffered are taken without a trip through the event loop.
            try:
                batch = receive.receive_nowait()
            except anyio.WouldBlock:
                try:
                    batch = await receive.receive()
                except (anyio.EndOfStream, anyio.ClosedResourceError):
                    raise StopAsyncIteration from None
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                raise StopAsyncIteration from None
            if isinstance(batch, list):
                if batch:
                    self._ready = batch
                    return batch.pop()
                continue
            chunks, end = batch.decode()
            if chunks:
                self._chunks, self._index, self._request = chunks, batch.index, batch.request
                if end is not None:
                    self._ready = [end]  # after the chunks
                return FanoutItem("chunk", batch.index, batch.request, chunks.pop())
            if end is not None:
                return end

    @property
    def buffered(self) -> int:
        """Batches waiting in the buffer (never more than its size): each is the chunks one
        socket read brought for one request, or a request's ``"done"`` or ``"error"`` item."""
        return self._receive.statistics().current_buffer_used

    async def aclose(self) -> None:
        """Stop reading: requests still running stop at their next chunk."""
        self._receive.close()
