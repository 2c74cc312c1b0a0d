"""``ChunkStream``: one streamed reply as an async iterator and an async context manager."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._errors import StreamConsumedError
from .._input.structured import schema_type
from .._wire.http_info import HttpInfo
from .._wire.response import GenerateContentResponse, parse_json, received
from .blocked import blocked_error, stopped_reason
from .deltas import DeltaStream
from .reader import _DONE, _NO_CHUNKS, _OPEN, ReplyReader

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ("ChunkStream",)

_T = TypeVar("_T")


class ChunkStream(ReplyReader):
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

    __slots__ = ()

    @property
    def response(self) -> GenerateContentResponse:
        """The reply accumulated so far: every chunk received, merged into one response.

        Merged when read: until then the stream holds the text received and a few chunks
        (about 1 KB each), so to keep many replies, keep ``stream.response`` rather than the
        stream.
        Its ``http`` is the stream's.
        """
        reply = self._merged()
        if self._http is not None:
            received(reply, self._http)
        return reply

    @property
    def http(self) -> HttpInfo | None:
        """The response's status, headers and URL (``gs.HttpInfo``), once its headers came
        (after the first chunk, or an error); ``None`` before."""
        return self._http

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
        # Finished, yet with chunks (or the error after them) still to give: a body that
        # came whole with the first read, after a peek with ``anext()``.
        if self._state == _DONE and not self._pending and self._deferred is None:
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
        iteration end, without an error; ``response`` keeps what was received. (Closing the
        client instead ends every stream with ``ClientClosedError``.)
        """
        self._pending = _NO_CHUNKS
        self._deferred = None
        if self._state == _OPEN:
            self._report("closed", None)
        self._finish(close=True)

    def __del__(self) -> None:
        if self._state == _OPEN:  # left with a break: the end of the request, for its log
            self._report("closed", None)
        response = self._response
        if response is not None:
            self._call.transport.responses.discard(response)
            loop = self._loop
            if loop is not None and not loop.is_closed():
                response.close()
        lease = self._lease
        if lease is not None and self._loop is not None and not self._loop.is_closed():
            lease.release(self._prompt_tokens())

    def __repr__(self) -> str:
        state = ("not started", "open", "finished")[self._state]
        return f"<ChunkStream {self._call.label} {state}>"
