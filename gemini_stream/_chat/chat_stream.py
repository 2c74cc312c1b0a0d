"""``ChatStream``: one chat reply, streamed across function-calling rounds, then committed."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

import anyio

from .._errors import FunctionCallLimitError, StreamConsumedError
from .._stream.deltas import DeltaStream
from .._wire.content import Content, Part
from .._wire.response import GenerateContentResponse

if TYPE_CHECKING:
    from types import TracebackType

    from .._stream.chunk_stream import ChunkStream
    from .._wire.config import GenerationConfig
    from .tools import Toolbox

__all__ = ("ChatStream", "model_turn")

_T = TypeVar("_T")
_NEW, _OPEN, _DONE = 0, 1, 2
_EMPTY_TEXT = Part(text="")


def model_turn(reply: GenerateContentResponse) -> Content | None:
    """The model ``Content`` a reply adds to history: its first candidate's parts as merged
    by the fold (signed parts, thoughts and function calls kept as they came), without empty
    unsigned text; ``None`` when nothing is left to send back."""
    candidates = reply.candidates
    content = candidates[0].content if candidates else None
    if content is None:
        return None
    parts = [part for part in content.parts if part != _EMPTY_TEXT]
    return Content(role="model", parts=parts) if parts else None


class _Chat(Protocol):
    """What a ``ChatStream`` uses of its ``Chat``: the settings, the toolbox, the lock that
    lets one message through at a time and the stream holding it, how a round is sent, and
    how an exchange is committed."""

    model: str
    automatic_function_calling: bool
    max_function_rounds: int
    _toolbox: Toolbox
    _lock: anyio.Semaphore
    _holder: weakref.ref[ChatStream] | None

    def _open(self, contents: list[Content], config: GenerationConfig | None) -> ChunkStream: ...

    def _append(self, turns: Sequence[Content]) -> None: ...


class ChatStream:
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

    __slots__ = (
        "__weakref__",
        "_chat",
        "_committed",
        "_config",
        "_current",
        "_holding",
        "_loop",
        "_rounds",
        "_state",
        "_task",
        "_turns",
    )

    def __init__(self, chat: _Chat, user_turn: Content, config: GenerationConfig | None) -> None:
        self._chat = chat
        self._config = config
        self._turns = [user_turn]
        self._current: ChunkStream | None = None
        self._state = _NEW
        self._rounds = 0
        self._holding = False
        self._committed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: object = None

    # -- public surface -------------------------------------------------------------------

    @property
    def response(self) -> GenerateContentResponse:
        """The current round's reply so far (after function calls: the answer's round)."""
        current = self._current
        return GenerateContentResponse() if current is None else current.response

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
        current = self._current
        if current is not None:
            await current.aclose()
        self._finish()

    def __del__(self) -> None:
        # Dropped half-read (a break without aclose): free the chat for its next message.
        loop = self._loop
        if self._holding and loop is not None and not loop.is_closed():
            self._holding = False
            loop.call_soon_threadsafe(self._chat._lock.release)

    def __repr__(self) -> str:
        state = ("not started", "open", "finished")[self._state]
        return f"<ChatStream {self._chat.model} {state}, {self._rounds} function rounds>"

    # -- machinery --------------------------------------------------------------------------

    async def _next_slow(self) -> GenerateContentResponse:
        while self._state != _DONE:
            try:
                if self._state == _NEW:
                    await self._start()
                elif not await self._next_round():
                    self._end()
                    break
                assert self._current is not None
                return await self._current.__anext__()
            except StopAsyncIteration:
                continue
            except BaseException:
                self._finish()
                raise
        raise StopAsyncIteration

    async def _start(self) -> None:
        """Wait for the chat's previous reply to end, then send this one."""
        chat = self._chat
        task = anyio.get_current_task().id
        holder = chat._holder() if chat._holder is not None else None
        if holder is not None and holder._holding and holder._task == task:
            # This task left its previous reply open (a break with the stream still in a
            # variable): waiting for it would wait forever, so it counts as abandoned.
            await holder.aclose()
        await chat._lock.acquire()
        self._holding = True
        if self._state == _DONE:  # closed by another task while this one waited
            self._finish()
            raise StopAsyncIteration
        self._task = task
        chat._holder = weakref.ref(self)
        self._loop = asyncio.get_running_loop()
        self._state = _OPEN
        self._current = chat._open(self._turns, self._config)

    async def _next_round(self) -> bool:
        """After a round ended: run the functions it called and open the next round.

        Returns False when the reply is final (no calls, or calls for the caller to answer).
        """
        assert self._current is not None
        reply = self._current.response
        calls = reply.function_calls
        chat = self._chat
        toolbox = chat._toolbox
        if not (chat.automatic_function_calling and toolbox.functions and toolbox.answers(calls)):
            return False
        if self._rounds >= chat.max_function_rounds:
            names = ", ".join(repr(call.name) for call in calls)
            error = FunctionCallLimitError(
                f"the model still called {names} after {self._rounds} rounds of function "
                f"calls (max_function_rounds={chat.max_function_rounds}); nothing was "
                "committed to the chat's history"
            )
            error.partial = reply
            raise error
        turn = model_turn(reply)
        assert turn is not None  # it holds the calls
        results = await toolbox.run(calls)
        if self._state == _DONE:  # closed by another task while the functions ran
            raise StopAsyncIteration
        self._turns += [turn, Content(role="user", parts=results)]
        self._rounds += 1
        self._current = chat._open(self._turns, self._config)
        return True

    def _end(self) -> None:
        """The final round ended normally: commit when it finished with content."""
        assert self._current is not None
        reply = self._current.response
        turn = model_turn(reply)
        if turn is not None and reply.finish_reason is not None:
            self._committed = True
            self._chat._append([*self._turns, turn])
        self._finish()

    def _finish(self) -> None:
        self._state = _DONE
        if self._holding:
            self._holding = False
            self._chat._lock.release()
