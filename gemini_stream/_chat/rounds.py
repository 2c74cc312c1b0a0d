"""``ChatRounds``: the machinery under ``ChatStream``. It waits for the chat's previous
message, streams each round of the reply, runs the functions the model calls between rounds,
and commits the exchange to the chat's history when the reply finished."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import anyio

from .._errors import ConcurrentReadError, FunctionCallLimitError, GeminiError
from .._wire.content import Content, Part
from .._wire.response import GenerateContentResponse
from .busy import wait_for_chat

if TYPE_CHECKING:
    from .._stream.chunk_stream import ChunkStream
    from .._wire.config import GenerationConfig
    from .tools import Toolbox

__all__ = ("ChatRounds", "model_turn")

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
    _holder: weakref.ref[ChatRounds] | None
    abandoned_after: float | None

    def _open(self, contents: list[Content], config: GenerationConfig | None) -> ChunkStream: ...

    def _append(self, turns: Sequence[Content]) -> None: ...


class ChatRounds:
    """One chat reply's state and how it advances; ``ChatStream`` is its public face."""

    __slots__ = (
        "__weakref__",
        "_busy",
        "_chat",
        "_committed",
        "_config",
        "_current",
        "_holding",
        "_loop",
        "_rounds",
        "_state",
        "_task",
        "_task_name",
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
        # The task that opened the reply, weakly: a finished task's id() may be reused.
        self._task: weakref.ref[asyncio.Task[object]] | None = None
        self._task_name = ""
        self._busy = False  # a task waits in _next_slow: another one may not come in

    async def _next_slow(self) -> GenerateContentResponse:
        if self._busy:
            raise ConcurrentReadError(
                "another task is reading this chat stream and waits for its data; read a "
                "stream from one task at a time"
            )
        self._busy = True
        try:
            while self._state != _DONE:
                current = self._current
                try:
                    if current is None:  # not started yet
                        current = await self._start()
                    else:
                        current = await self._next_round(current)
                        if current is None:
                            self._end()
                            break
                    return await current.__anext__()
                except StopAsyncIteration:
                    continue
                except ConcurrentReadError:
                    raise  # another task reads the round: the reply is its, and goes on
                except GeminiError as exc:
                    self._finish()
                    if exc.partial is None and self._current is not None:
                        exc.partial = self._current.response  # a round failed to open
                    raise
                except BaseException:
                    self._finish()
                    raise
            raise StopAsyncIteration
        finally:
            self._busy = False

    async def _start(self) -> ChunkStream:
        """Wait for the chat's previous reply to end, then send this one."""
        chat = self._chat
        me = asyncio.current_task()
        holder = chat._holder() if chat._holder is not None else None
        if holder is not None and holder._holding and holder._opened_by(me):
            # This task left its previous reply open (a break with the stream still in a
            # variable): waiting for it would wait forever, so it counts as abandoned.
            await holder._close()
        await wait_for_chat(chat._lock, chat.abandoned_after, self._holder_of_chat)
        self._holding = True
        if self._state == _DONE:  # closed by another task while this one waited
            self._finish()
            raise StopAsyncIteration
        if me is not None:
            self._task, self._task_name = weakref.ref(me), me.get_name()
        chat._holder = weakref.ref(self)
        self._loop = asyncio.get_running_loop()
        self._state = _OPEN
        current = self._current = chat._open(self._turns, self._config)
        return current

    async def _next_round(self, current: ChunkStream) -> ChunkStream | None:
        """After the round ``current`` ended: run the functions it called and open the next
        round; ``None`` when the reply is final (no calls, or calls for the caller to answer).
        """
        reply = current.response
        calls = reply.function_calls
        chat = self._chat
        toolbox = chat._toolbox
        turn = model_turn(reply)  # it holds the calls, if any
        if turn is None or not (
            chat.automatic_function_calling and toolbox.functions and toolbox.answers(calls)
        ):
            return None
        if self._rounds >= chat.max_function_rounds:
            names = ", ".join(repr(call.name) for call in calls)
            error = FunctionCallLimitError(
                f"the model still called {names} after {self._rounds} rounds of function "
                f"calls (max_function_rounds={chat.max_function_rounds}); nothing was "
                "committed to the chat's history"
            )
            error.partial = reply
            raise error
        results = await toolbox.run(calls)
        if self._state == _DONE:  # closed by another task while the functions ran
            raise StopAsyncIteration
        self._turns += [turn, Content(role="user", parts=results)]
        self._rounds += 1
        current = self._current = chat._open(self._turns, self._config)
        return current

    def _opened_by(self, task: asyncio.Task[object] | None) -> bool:
        return task is not None and self._task is not None and self._task() is task

    def _holder_of_chat(self) -> ChatRounds | None:
        holder = self._chat._holder
        return holder() if holder is not None else None

    def _progress(self) -> tuple[object, ...] | None:
        """``None`` while a task reads this reply or runs its functions; otherwise a value
        that changes as the reply moves on (see ``_chat.busy``)."""
        if self._busy:
            return None
        current = self._current
        if current is None:
            return (self._state,)
        progress = current._progress()
        return None if progress is None else (self._rounds, *progress)

    def _describe(self) -> str:
        """The reply, as a waiting message names it: the stream, its message, its task."""
        message = self._turns[0].text
        shown = message if len(message) <= 60 else message[:57] + "..."
        return f"{self!r} (the reply to {shown!r}, read by task {self._task_name!r})"

    def _end(self) -> None:
        """The final round ended normally: commit when it finished with content."""
        current = self._current
        reply = GenerateContentResponse() if current is None else current.response
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

    async def _close(self) -> None:
        """Stop the reply, release its connection and the chat (``aclose``)."""
        current = self._current
        if current is not None:
            await current.aclose()
        self._finish()
