"""``ChatStream``: one chat reply, streamed across function-calling rounds, then committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._errors import ConcurrentReadError, StreamConsumedError
from .._stream.deltas import DeltaStream
from .._wire.content import Content
from .._wire.http_info import HttpInfo
from .._wire.response import GenerateContentResponse
from .rounds import _DONE, _OPEN, ChatRounds, model_turn

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ("ChatStream",)

_T = TypeVar("_T")


class ChatStream(ChatRounds):
    """One chat reply: ``async for chunk in stream`` yields its ``GenerateContentResponse``
    chunks, including those of every automatic function-calling round.

    Returned by ``chat.stream(...)`` without ``await``; nothing is sent (and the chat is not
    reserved) until it is first iterated. When the reply ends with a ``finishReason`` the
    exchange is committed to ``chat.history``; a reply that fails, is cancelled or is closed
    early leaves history unchanged, and ``await stream.commit()`` keeps it anyway. The chat
    is released for its next message however the stream ends, including when it is dropped
    half-read.

    Example:
        >>> async with chat.stream("Tell me a story") as stream:
        ...     async for text in stream.text_stream:
        ...         print(text, end="")
    """

    __slots__ = ()

    @property
    def response(self) -> GenerateContentResponse:
        """The current round's reply so far (after function calls: the answer's round)."""
        current = self._current
        return GenerateContentResponse() if current is None else current.response

    @property
    def http(self) -> HttpInfo | None:
        """The current round's HTTP status, headers and URL (``gs.HttpInfo``), once they came."""
        current = self._current
        return None if current is None else current.http

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """An async iterator over the text deltas of every round (thoughts excluded)."""
        return DeltaStream(self)

    @property
    def thought_stream(self) -> AsyncIterator[str]:
        """An async iterator over the thought-summary deltas (with ``include_thoughts``)."""
        return DeltaStream(self, thought=True)

    @property
    def turns(self) -> list[Content]:
        """The exchange so far, as it would be committed: the user turn, the model's
        function-call turns and the function results, then the current model turn."""
        turns = list(self._turns)
        current = self._current
        turn = None if current is None else model_turn(current.response)
        if turn is not None:
            turns.append(turn)
        return turns

    @property
    def function_rounds(self) -> int:
        """How many rounds of function calls were run automatically so far."""
        return self._rounds

    @property
    def committed(self) -> bool:
        """Whether this exchange was added to the chat's history."""
        return self._committed

    async def final_response(self) -> GenerateContentResponse:
        """Consume the rest of the stream and return the last round's whole reply."""
        if self._state != _DONE:
            async for _ in self:
                pass
        return self.response

    async def final_text(self) -> str:
        """Consume the rest of the stream and return the last round's text.

        Raises:
            BlockedError: the prompt was blocked, or the reply was stopped before any text.
        """
        await self.final_response()
        current = self._current
        return "" if current is None else await current.final_text()

    @overload
    async def final_parsed(self, type_: type[_T]) -> _T: ...
    @overload
    async def final_parsed(self, type_: Any = None) -> Any: ...
    async def final_parsed(self, type_: Any = None) -> Any:
        """Consume the rest of the stream and decode the reply's JSON text.

        Args:
            type_: the type to decode into; by default the type given as
                ``config={"response_schema": ...}``, or plain JSON values for a dict schema.

        Raises:
            ParseError: the text is not JSON or does not fit the type.
            BlockedError: the prompt was blocked.
        """
        await self.final_response()
        current = self._current
        if current is None:
            raise StreamConsumedError("this stream was closed before it was started")
        return await current.final_parsed(type_)

    async def commit(self) -> None:
        """Add this exchange, as far as it got, to the chat's history.

        For a reply that failed, was cancelled or was closed early: the user turn, any
        function-calling rounds, and the partial model turn (when something arrived) are
        appended. A stream still open is closed first. Does nothing when the exchange was
        already committed (every reply that finished normally is).
        """
        if self._state != _DONE:
            await self.aclose()
        if not self._committed:
            self._committed = True
            self._chat._append(self.turns)

    def __aiter__(self) -> ChatStream:
        if self._state == _DONE:
            raise StreamConsumedError(
                "this chat stream was already consumed or closed; its reply is in stream.response"
            )
        return self

    async def __anext__(self) -> GenerateContentResponse:
        current = self._current
        if current is not None and self._state == _OPEN:
            try:
                return await current.__anext__()
            except StopAsyncIteration:
                pass
            except ConcurrentReadError:
                raise  # another task reads this round: the reply is its, and goes on
            except BaseException:
                self._finish()
                raise
        return await self._next_slow()

    async def __aenter__(self) -> ChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the reply, release its connection and the chat; safe to call more than once."""
        await self._close()

    def __del__(self) -> None:
        # Dropped half-read (a break without aclose): free the chat for its next message.
        loop = self._loop
        if self._holding and loop is not None and not loop.is_closed():
            self._holding = False
            loop.call_soon_threadsafe(self._chat._lock.release)

    def __repr__(self) -> str:
        state = ("not started", "open", "finished")[self._state]
        return f"<ChatStream {self._chat.model} {state}, {self._rounds} function rounds>"
