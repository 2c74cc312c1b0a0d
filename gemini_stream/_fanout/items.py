"""The values fan-out deals in: ``Request`` in, ``FanoutItem``s out of ``FanoutResults``,
``Progress`` alongside."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

import anyio
import msgspec

from .._config import RetryPolicy, Timeouts
from .._http.endpoint import model_path
from .._input.request import build_request
from ..types import GenerateContentRequest, GenerateContentResponse

if TYPE_CHECKING:
    from typing import TypeAlias

    from anyio.streams.memory import MemoryObjectReceiveStream

    from .._input.request import (
        ConfigInput,
        ContentsInput,
        SafetySettingsInput,
        SystemInstructionInput,
        ToolConfigInput,
        ToolsInput,
    )
    from .reads import Read


class StreamLike(Protocol):
    """What fan-out needs from a stream: chunks, ``aclose()``, and the merged ``response``.

    ``ChunkStream`` is one, and so is what ``chat.stream(message)`` returns.
    """

    def __aiter__(self) -> AsyncIterator[GenerateContentResponse]: ...

    async def aclose(self) -> None: ...

    @property
    def response(self) -> GenerateContentResponse: ...


@dataclass(frozen=True)
class Request:
    """One ``stream()`` call as a value, for ``stream_many`` and ``generate_many``.

    The arguments are those of ``Client.stream``; they are checked and converted when the
    value is made, so a bad request in a batch fails before anything is sent. ``wire`` holds
    the converted ``types.GenerateContentRequest``.

    Raises:
        TypeError, ValueError: bad input; the message names the offending value.

    Example:
        >>> requests = [gs.Request("gemini-2.5-flash", q) for q in questions]
        >>> replies = await client.generate_many(requests)
    """

    model: str
    contents: ContentsInput
    _: KW_ONLY
    config: ConfigInput = None
    system_instruction: SystemInstructionInput = None
    tools: ToolsInput = None
    tool_config: ToolConfigInput = None
    safety_settings: SafetySettingsInput = None
    cached_content: str | None = None
    timeouts: Timeouts | None = None
    retry: RetryPolicy | None = None
    wire: GenerateContentRequest = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        model_path(self.model)
        if self.timeouts is not None and not isinstance(self.timeouts, Timeouts):
            raise TypeError(f"timeouts must be a gs.Timeouts, got {self.timeouts!r}")
        if self.retry is not None and not isinstance(self.retry, RetryPolicy):
            raise TypeError(f"retry must be a gs.RetryPolicy, got {self.retry!r}")
        wire = build_request(
            self.contents,
            config=self.config,
            system_instruction=self.system_instruction,
            tools=self.tools,
            tool_config=self.tool_config,
            safety_settings=self.safety_settings,
            cached_content=self.cached_content,
        )
        object.__setattr__(self, "wire", wire)


class FanoutItem(msgspec.Struct, frozen=True):
    """One thing that happened to one request of a ``stream_many`` batch.

    Every request gives zero or more ``"chunk"`` items, then exactly one ``"done"`` or
    ``"error"`` item. Items of different requests interleave as their chunks arrive.

    Attributes:
        kind: ``"chunk"``, ``"done"`` (the reply ended well) or ``"error"`` (it failed).
        index: the request's position in the input.
        request: the request as it was given.
        chunk: for ``"chunk"``: the chunk, as ``async for chunk in stream`` gives it.
        error: for ``"error"``: the exception; a ``GeminiError`` carries ``.partial``.
        response: for ``"done"``: the whole reply, merged (``stream.response``). It is
            merged when first read, so a loop that only relays chunks never pays for it;
            until then the item holds the chunks its stream received last (about 1 KB
            each): to keep many replies, keep ``item.response`` rather than the item.
    """

    kind: Literal["chunk", "done", "error"]
    index: int
    request: object
    chunk: GenerateContentResponse | None = None
    error: Exception | None = None
    # For "done": the reply, or the finished stream that merges it when asked.
    _reply: GenerateContentResponse | StreamLike | None = None

    @property
    def response(self) -> GenerateContentResponse | None:
        """For ``"done"``: the whole reply, merged; ``None`` for other kinds."""
        reply = self._reply
        if reply is None or isinstance(reply, GenerateContentResponse):
            return reply
        return reply.response

    def __repr__(self) -> str:
        shown = [f"kind={self.kind!r}", f"index={self.index!r}", f"request={self.request!r}"]
        for name in ("chunk", "error", "response"):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}")
        return f"FanoutItem({', '.join(shown)})"


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


@dataclass(eq=False)
class Progress:
    """Live counters of a fan-out batch, for a progress bar or a log line.

    Pass one as ``progress=`` and read it while the batch runs (the library updates it in
    place), or pass a callable to be called with it each time a request starts or ends.

    Attributes:
        total: how many requests the batch has, when the input has a length.
        started: requests whose stream was opened.
        done: requests that ended well.
        failed: requests that ended with an error.
        chunks: chunks decoded, all requests together (in ``stream_many``, a read is
            decoded when your loop reaches it).
        tokens: tokens used by the ended requests (``usageMetadata.totalTokenCount``).

    Example:
        >>> progress = gs.Progress()
        >>> replies = await client.generate_many(requests, progress=progress)
        >>> print(f"{progress.done}/{progress.total} done, {progress.tokens} tokens")
    """

    total: int | None = None
    started: int = 0
    done: int = 0
    failed: int = 0
    chunks: int = 0
    tokens: int = 0

    @property
    def finished(self) -> int:
        """Requests that ended, well or not."""
        return self.done + self.failed

    @property
    def in_flight(self) -> int:
        """Requests started and not ended yet."""
        return self.started - self.done - self.failed


if TYPE_CHECKING:
    # A request for stream_many / generate_many: a Request, a zero-argument callable that
    # makes its own stream (``lambda: chat.stream(msg)``), or a ``(chat, message)`` pair
    # (anything with a ``.stream(message)`` method).
    RequestLike: TypeAlias = (
        Request | Callable[[], StreamLike | Awaitable[StreamLike]] | tuple[object, object]
    )

    # What travels from the requests to the consumer: items, last first, or a socket read of
    # a stream, which the consumer decodes into items.
    Batch: TypeAlias = list[FanoutItem] | Read
